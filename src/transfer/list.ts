import { locate, oneLine, SiteError, type SiteOptions, type StagingLocation, type StagingSite } from '../staging/index.js';
import { fetchGeneration, VerifyError } from './fetch.js';
import { jobPrefix, manifestKey, scanGenerations } from './generations.js';
import { checkJobId } from './options.js';
import { parseManifest } from './manifest.js';
import { withRetry, DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { dedupSummary } from './summary.js';
import type { DedupSummary } from '../record/types.js';

export interface ListOptions {
  staging: string | StagingLocation;
  jobId: string;
  /** The staging kind's own options (e.g. s3Endpoint), used when `staging` is a URL. */
  site?: SiteOptions;
  /** Fetch every published generation and check it against its manifest. */
  verify?: boolean;
  /** Checkpoints outside the working directory count as fine when verifying. */
  allowOutside?: boolean;
  retries?: number;
  backoffMs?: number;
  signal?: AbortSignal;
}

export interface GenerationInfo {
  generation: number;
  /** Published (has a manifest). Unpublished ones are leftovers of an interrupted stage-out. */
  complete: boolean;
  /** Regular files in the generation (0 when unknown). */
  files: number;
  /** Sum of the file sizes (complete), or the bytes stored so far (leftovers). */
  bytes: number;
  /** When it was published (manifest time), or when its newest object was written. */
  time?: string;
  /** Seconds since `time`. */
  age?: number;
  attempt?: number;
  host?: string;
  /** Chunked generations: bytes total and new, chunks reused, dedup ratio (as in the record). */
  dedup?: DedupSummary;
  /** With `verify`: whether every file matched its manifest. */
  verified?: boolean;
  /** Why it does not verify, or why its manifest cannot be read. */
  error?: string;
}

/**
 * The generations of a job at a staging site, newest first. Throws an Error
 * with a one-line message when the site cannot be listed.
 */
export async function listGenerations(o: ListOptions): Promise<GenerationInfo[]> {
  const location = locate(o.staging, o.site);
  const bad = checkJobId(o.jobId);
  if (bad) throw new Error(bad);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, retries: o.retries ?? 1, baseMs: o.backoffMs ?? 500 };
  const site = await location.open();
  try {
    const listed = await withRetry(() => site.list(jobPrefix(o.jobId), { signal: o.signal }), { ...policy, signal: o.signal });
    if (listed.tag === 'failed') throw new Error(`listing ${site.url} failed: ${oneLine(listed.error)}`);
    const now = Date.now();
    const out: GenerationInfo[] = [];
    for (const s of scanGenerations(listed.value, o.jobId).reverse()) {
      if (!s.manifest) {
        const all = [...s.data, ...s.leftovers];
        const newest = Math.max(0, ...all.map((e) => e.mtimeMs));
        out.push({
          generation: s.generation,
          complete: false,
          files: 0,
          bytes: all.reduce((n, e) => n + e.size, 0),
          ...(newest > 0 ? { time: new Date(newest).toISOString(), age: Math.round((now - newest) / 1000) } : {}),
          ...(o.verify ? { verified: false, error: 'not published (an interrupted stage-out)' } : {}),
        });
        continue;
      }
      const info: GenerationInfo = { generation: s.generation, complete: true, files: 0, bytes: 0 };
      out.push(info);
      const read = await withRetry(() => readManifestText(site, manifestKey(o.jobId, s.generation), o.signal), { ...policy, signal: o.signal });
      if (read.tag === 'failed') {
        info.error = oneLine(read.error);
        if (o.verify) info.verified = false;
        continue;
      }
      const parsed = parseManifest(read.value, { jobId: o.jobId, generation: s.generation });
      if (!parsed.ok) {
        info.error = parsed.message;
        if (o.verify) info.verified = false;
        continue;
      }
      const m = parsed.manifest;
      Object.assign(info, {
        files: m.entries.filter((e) => e.type === 'file').length,
        bytes: m.bytes,
        time: m.time,
        age: Math.max(0, Math.round((now - Date.parse(m.time)) / 1000)),
        attempt: m.attempt,
        host: m.host,
      });
      const dedup = dedupSummary(m);
      if (dedup) info.dedup = dedup;
      if (o.verify) {
        const v = await withRetry(
          () => fetchGeneration(site, { jobId: o.jobId, generation: s.generation, allowOutside: true, signal: o.signal }),
          { ...policy, signal: o.signal },
        );
        info.verified = v.tag === 'done';
        if (v.tag === 'failed') info.error = v.error instanceof VerifyError || v.error instanceof SiteError ? v.error.message : oneLine(v.error);
      }
    }
    return out;
  } finally {
    site.close();
  }
}

async function readManifestText(site: StagingSite, key: string, signal?: AbortSignal): Promise<Buffer> {
  const s = await site.get(key, { signal });
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
