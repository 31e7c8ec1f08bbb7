import os from 'node:os';
import type { TransferSummary } from '../record/types.js';
import { oneLine, type StagingSite } from '../staging/index.js';
import { collect, hasCheckpoint, type Collected } from './collect.js';
import { unchangedSince } from './unchanged.js';
import { genName, jobPrefix, manifestKey, nextGeneration, scanGenerations, unfinished } from './generations.js';
import { buildManifest, serializeManifest } from './manifest.js';
import { chunkIndex, uploadChunked, type Chunked } from './chunked-upload.js';
import { uploadObject, type Stored } from './object-upload.js';
import { prune, sweep } from './prune.js';
import { REPLACED_TRIES, TORN_TRIES, checkOptions, normalizeOptions, type Normalized } from './options.js';
import { formatBytes, startProgress, type Progress } from './progress.js';
import { loggedRetries, sleep, withRetry } from './retry.js';
import { TornFileError } from './source.js';
import { dedupSummary, failureLine, fileList, summary } from './summary.js';
import type { TransferOptions } from './options.js';

/**
 * Stage-out, run after the job however it ended:
 *  1. resolve the declared paths; none exists: result 'none', nothing published;
 *  2. list the job's folder; the new generation is one past the highest seen;
 *  3. cut the data (the file as is, or one tar of everything) into
 *     content-defined chunks, hashing every byte on the way, and put the
 *     chunks the site does not hold yet (chunk-store.ts); nothing is read
 *     when no file changed since the previous generation; a file that
 *     changed while read is read again (3 tries). Layout 'object' streams
 *     one data object into gen-NNNNNN/ instead (object-upload.ts);
 *  4. write gen-NNNNNN.manifest.json: from now on the generation is visible;
 *  5. prune: keep the newest `keep` generations, drop older ones (manifest
 *     first), leftovers of failed uploads, and chunks no kept manifest lists.
 * A crash anywhere before 4 leaves only invisible leftovers; the previous
 * generation is untouched until a newer one is published.
 */
export async function stageOut(o: TransferOptions): Promise<TransferSummary> {
  const t0 = performance.now();
  const n = normalizeOptions(o);
  const done = (f: Parameters<typeof summary>[3]) => summary('out', n.staging, t0, f, n.redact);
  const bad = checkOptions(n, 'out');
  if (bad) return done({ result: 'failed', error: bad });
  const log = n.logger;

  const gather = async () => {
    const f = await collect(n.checkpoints, n.cwd, n.companions);
    return n.pick ? n.pick(f) : f;
  };
  let found: Collected;
  try {
    found = await gather();
  } catch (err) {
    return done({ result: 'failed', error: `stage-out: cannot read the checkpoint files: ${oneLine(err)}` });
  }
  if (found.missing.length > 0) log.warn({ missing: found.missing }, `stage-out: declared checkpoint ${found.missing.map((m) => `'${m}'`).join(', ')} matched nothing`);
  if (found.skipped.length > 0) log.warn({ skipped: found.skipped }, 'stage-out: skipped entries that are not files, directories or symlinks');
  if (!hasCheckpoint(found.entries)) {
    log.info({ url: n.staging }, 'stage-out: no declared checkpoint file exists; nothing published');
    return done({ result: 'none', missing: found.missing });
  }
  await n.hooks.phase?.('collected');

  let site: StagingSite;
  try {
    site = await n.location!.open();
  } catch (err) {
    return done({ result: 'failed', error: oneLine(err) });
  }
  let attempts = 0;
  const run = loggedRetries('stage-out', n, site.url, log);
  try {
    const listed = await withRetry(() => site.list(jobPrefix(n.jobId), { signal: n.signal }), run);
    attempts = listed.attempts;
    if (listed.tag === 'failed') return done({ result: 'failed', attempts, error: failureLine('stage-out to', site.url, listed, n.redact) });
    const states = scanGenerations(listed.value, n.jobId);
    // Numbered past the leftovers, so no number is ever used twice.
    const gen = nextGeneration(states);
    await sweep(site, n, run, unfinished(states));
    const reads = { bytes: 0 };
    const same = await unchangedSince(site, { jobId: n.jobId, clean: n.clean, signal: n.signal, reads }, states, found.entries);
    if (same) {
      log.info({ url: site.url, generation: same.generation }, `stage-out: the files are those of ${genName(same.generation)}, the newest generation; nothing new published`);
      // A stage-out killed before its prune left more than --keep: this one does it.
      await prune(site, n, run, same);
      return done({ result: 'unchanged', generation: same.generation, files: fileList(same.entries), bytes: same.bytes, attempts, missing: found.missing, reread: reads.bytes });
    }
    const total = found.entries.reduce((s, e) => s + e.size, 0);
    const chunked = n.layout === 'chunks' ? await chunkIndex(site, n, run, listed.value, states, total) : undefined;
    log.info(
      { url: site.url, generation: gen, files: found.entries.length, bytes: total },
      `stage-out: ${found.entries.length} entr${found.entries.length === 1 ? 'y' : 'ies'} (${formatBytes(total)}) to ${site.url} as ${genName(gen)}`,
    );

    let stored: Stored | undefined;
    // Tries lost to a rename over a file are cheap (the new version is whole at once) and get their own budget.
    let replacedTries = 0;
    let torn = 0;
    for (let tornTry = 1; !stored; tornTry++) {
      const progress = startProgress({ label: `stage-out ${genName(gen)}`, total, bar: n.progress, stream: n.progressStream, logger: log });
      const up = await withRetry(() => upload(site, n, gen, found, tornTry, progress, reads, chunked), run).finally(() => progress.stop());
      attempts = Math.max(attempts, up.attempts);
      if (up.tag === 'done') {
        stored = up.value;
        break;
      }
      if (!(up.error instanceof TornFileError)) {
        return done({ result: 'failed', attempts, missing: found.missing, error: failureLine('stage-out to', site.url, up, n.redact) });
      }
      const cheap = up.error.replaced && replacedTries++ < REPLACED_TRIES;
      if (!cheap && ++torn >= TORN_TRIES) {
        return done({
          result: 'failed',
          attempts,
          missing: found.missing,
          error: `stage-out to ${site.url} failed: ${up.error.message}, ${TORN_TRIES} times; nothing was published (is something still writing it after the job ended?)`,
        });
      }
      log[up.error.replaced ? 'debug' : 'warn']({ path: up.error.path, try: tornTry }, `stage-out: ${up.error.message}; reading it again`);
      // A file replaced by a rename is whole again at once; one written in place gets time to finish.
      if (!(await sleep(cheap ? 0 : Math.min(n.retry.baseMs, 1000) * torn, n.signal))) {
        return done({ result: 'failed', attempts, error: `stage-out to ${site.url} failed: aborted` });
      }
      found = await gather().catch(() => found);
      if (!hasCheckpoint(found.entries)) return done({ result: 'none', attempts, missing: found.missing });
    }
    await n.hooks.phase?.('uploaded');

    const manifest = buildManifest({
      job_id: n.jobId,
      generation: gen,
      attempt: n.attempt,
      host: os.hostname(),
      time: new Date().toISOString(),
      clean: n.clean,
      object: stored.object,
      entries: stored.entries,
      ...(stored.dedup ? { dedup: stored.dedup } : {}),
    });
    const mkey = manifestKey(n.jobId, gen);
    const pub = await withRetry(() => site.publish(mkey, serializeManifest(manifest), { signal: n.signal }), run);
    attempts = Math.max(attempts, pub.attempts);
    if (pub.tag === 'failed') return done({ result: 'failed', attempts, missing: found.missing, error: failureLine('stage-out to', site.url, pub, n.redact) });
    await n.hooks.phase?.('published');
    const dedup = dedupSummary(manifest);
    log.info(
      { url: site.url, generation: gen, files: stored.entries.length, bytes: manifest.bytes, ...(stored.object.key ? { object: stored.object.key } : { dedup }) },
      `stage-out: published ${genName(gen)} (${formatBytes(manifest.bytes)}${dedup ? `, ${formatBytes(dedup.bytes_new)} new` : ''}) in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
    );

    await prune(site, n, run, manifest);
    await n.hooks.phase?.('pruned');
    return done({
      result: 'ok',
      generation: gen,
      files: fileList(manifest.entries),
      bytes: manifest.bytes,
      attempts,
      missing: found.missing,
      reread: Math.max(0, reads.bytes - manifest.bytes),
      ...(dedup ? { dedup } : {}),
    });
  } finally {
    site.close();
  }
}

/** One try at storing the generation's data; throws TornFileError or a SiteError. */
async function upload(site: StagingSite, n: Normalized, gen: number, found: Collected, tornTry: number, progress: Progress, reads: { bytes: number }, chunked?: Chunked): Promise<Stored> {
  const hooks = n.hooks;
  const common = {
    jobId: n.jobId,
    signal: n.signal,
    onBytes: (b: number) => progress.add(b),
    afterRead: hooks.afterRead && ((p: string) => hooks.afterRead!(p, tornTry)),
    started: hooks.phase && (() => hooks.phase!('uploading')),
    reads,
  };
  if (chunked) return uploadChunked(site, found, { ...common, known: chunked.known, previous: chunked.previous });
  return uploadObject(site, found, { ...common, generation: gen });
}
