import path from 'node:path';
import type { Readable } from 'node:stream';
import type { ChunkSource, StagingSite } from '../staging/index.js';
import { ArchiveError, readTar } from './archive.js';
import { manifestKey } from './generations.js';
import type { ChunkRef, Manifest, ManifestEntry } from './manifest.js';
import { readChunks } from './chunk-store.js';
import { archiveName, unsafePathReason } from './paths.js';
import { readManifest } from './read-manifest.js';
import { MAX_BATCH, receive } from './receive.js';
import { getOrVerifyError, guarded, orVerifyError } from './site-read.js';
import { VerifyError } from './verify-error.js';

export { VerifyError };

export interface Fetched {
  manifest: Manifest;
  /** Manifest path -> verified temp file (when fetched into a scratch folder). */
  temp: Map<string, string>;
  /** Bytes of the data object read. */
  objectBytes: number;
}

export interface FetchOptions {
  jobId: string;
  generation: number;
  /** Where verified file contents go (`<scratch>/<n>`); undefined: verify only. */
  scratch?: string;
  allowOutside: boolean;
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
  /** The generation's manifest as read already (the attempt's look-back): not read again. */
  manifest?: Manifest;
}

/**
 * Fetches one generation and checks it against its manifest: every file's
 * size and SHA-256, every entry's type and link target, no entry missing or
 * extra, no unsafe name. Throws VerifyError when the generation is bad, a
 * SiteError when the site is (retryable ones may be tried again).
 */
export async function fetchGeneration(site: StagingSite, o: FetchOptions): Promise<Fetched> {
  const m = o.manifest ?? (await readManifest(site, o.jobId, o.generation, o.signal));
  for (const e of m.entries) {
    if (e.path.startsWith('/') && !o.allowOutside) {
      throw new VerifyError(`'${e.path}' would be restored outside the working directory (allow it with --allow-outside)`);
    }
  }
  const chunks = m.object.chunks;
  const okey = `${o.jobId}/${m.object.key}`;
  const where = chunks ? `${site.describe(manifestKey(o.jobId, o.generation))} (${chunks.length} chunks)` : site.describe(okey);
  // A site that reads into buffers it reuses (file://) hands over the object
  // as ring chunks, and a chunked generation's chunks in pool buffers
  // (readChunks): receive() then writes each piece before asking for the one
  // after the next, and readTar holds no piece across entries (headers are
  // decoded at once, or copied when they span).
  const reused = site.getChunks !== undefined;
  const ring = !chunks && reused;
  const maxBatch = reused ? 0 : MAX_BATCH;
  const temp = new Map<string, string>();
  let index = 0;
  const sink = (e: ManifestEntry) => {
    if (!o.scratch) return undefined;
    const p = path.join(o.scratch, String(index++));
    temp.set(e.path, p);
    return p;
  };
  // One file from a local site: the kernel copies it while its bytes are
  // hashed here, so stage-in costs about a read and a hash.
  const single = m.object.format === 'file' ? m.entries[0] : undefined;
  const copyTo = !chunks && single && o.scratch && site.getCopying ? sink(single) : undefined;
  let copied: Promise<void> | undefined;
  let stream: Readable | ChunkSource;
  if (chunks) {
    stream = chunkStream(site, chunks, o);
  } else if (copyTo) {
    const c = await orVerifyError(() => site.getCopying!(okey, copyTo, { signal: o.signal }));
    stream = c.chunks;
    copied = c.copied;
  } else {
    stream = await getOrVerifyError(site, okey, o.signal, ring);
  }
  let objectBytes = 0;
  const source = guarded(stream, where, (b) => {
    objectBytes += b;
    o.onBytes?.(b);
  });
  try {
    if (copied) {
      await receive(source, undefined, single!, where, maxBatch);
      await copied;
    } else if (single) {
      await receive(source, sink(single), single, where, maxBatch);
    } else {
      const byName = new Map(m.entries.map((e) => [archiveName(e.path), e]));
      const seen = new Set<string>();
      await readTar(source, async (t, body) => {
        const bad = unsafePathReason(t.name, false);
        if (bad) throw new VerifyError(`${where}: archive entry '${t.name}' refused: ${bad}`);
        const e = byName.get(t.name);
        if (!e) throw new VerifyError(`${where}: archive entry '${t.name}' is not in the manifest`);
        if (seen.has(t.name)) throw new VerifyError(`${where}: archive entry '${t.name}' appears twice`);
        seen.add(t.name);
        if (t.type !== e.type) throw new VerifyError(`${where}: '${t.name}' is a ${t.type} in the archive, a ${e.type} in the manifest`);
        if (e.type === 'symlink' && t.linkname !== e.target) throw new VerifyError(`${where}: link '${t.name}' points elsewhere than the manifest says`);
        if (e.type === 'file') {
          if (t.size !== e.size) throw new VerifyError(`${where}: '${t.name}' has ${t.size} bytes, the manifest says ${e.size}`);
          await receive(body, sink(e), e, where, maxBatch);
        }
      });
      const absent = m.entries.find((e) => !seen.has(archiveName(e.path)));
      if (absent) throw new VerifyError(`${where}: '${absent.path}' is missing from the archive`);
    }
    // Whatever follows the archive's end must still be read to count it.
    for await (const _ of source) void _;
  } catch (err) {
    stream.destroy();
    // No copy may still write into the scratch folder when it is removed.
    await copied?.catch(() => {});
    if (err instanceof ArchiveError) throw new VerifyError(`${where}: ${err.message}`);
    throw err;
  }
  if (objectBytes !== m.object.size) {
    throw new VerifyError(`${where}: ${objectBytes} bytes stored, the manifest says ${m.object.size}`);
  }
  return { manifest: m, temp, objectBytes };
}

/** A chunked generation's data as one stream of verified chunks. */
function chunkStream(site: StagingSite, refs: ChunkRef[], o: FetchOptions): ChunkSource {
  const it = readChunks(site, refs, { jobId: o.jobId, signal: o.signal });
  return { [Symbol.asyncIterator]: () => it, destroy: () => void it.return(undefined).catch(() => {}) };
}

