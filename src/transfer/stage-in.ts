import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { TransferSummary } from '../record/types.js';
import { oneLine, type SiteEntry, type StagingSite } from '../staging/index.js';
import { SCRATCH_PREFIX } from './collect.js';
import { passOverPoisoned } from './distrust.js';
import { fetchGeneration, VerifyError } from './fetch.js';
import { completeNewestFirst, genName, jobPrefix, scanGenerations } from './generations.js';
import { checkOptions, normalizeOptions } from './options.js';
import { formatBytes, startProgress } from './progress.js';
import type { Manifest } from './manifest.js';
import { placeGeneration } from './restore.js';
import { loggedRetries, withRetry, type RetryResult } from './retry.js';
import { failureLine, fileList, summary } from './summary.js';
import type { Normalized, TransferOptions } from './options.js';

/**
 * Stage-in, run before the job starts:
 *  1. list the job's folder (or take the listing of the attempt's
 *     look-back, with the newest manifest it read: look-back.ts); no
 *     published generation: result 'none' (the normal first attempt);
 *  2. newest generation first: fetch its manifest and data into a scratch
 *     folder inside the working directory, verifying every file's size and
 *     SHA-256 as the bytes arrive;
 *  3. a generation that does not verify is passed over for the one before
 *     it (`rolled_back`); a site that cannot be reached is retried, then the
 *     step fails;
 *  4. only a fully verified generation is put in place (see restore.ts).
 */
export async function stageIn(o: TransferOptions): Promise<TransferSummary> {
  const t0 = performance.now();
  const n = normalizeOptions(o);
  let poisoned: TransferSummary['poisoned'];
  const done = (f: Parameters<typeof summary>[3]) => summary('in', n.staging, t0, { ...f, poisoned }, n.redact);
  const bad = checkOptions(n, 'in');
  if (bad) return done({ result: 'failed', error: bad });
  const log = n.logger;

  let site: StagingSite;
  try {
    site = await n.location!.open();
  } catch (err) {
    return done({ result: 'failed', error: oneLine(err) });
  }
  const run = loggedRetries('stage-in', n, site.url, log);
  try {
    // The attempt's look-back listed the folder moments ago (one job id has one kickstart at a time).
    const listed: RetryResult<SiteEntry[]> = n.ahead
      ? { tag: 'done', value: n.ahead.entries, attempts: 1 }
      : await withRetry(() => site.list(jobPrefix(n.jobId), { signal: n.signal }), run);
    let attempts = listed.attempts;
    if (listed.tag === 'failed') return done({ result: 'failed', attempts, error: failureLine('stage-in from', site.url, listed, n.redact) });
    const passed = await passOverPoisoned(site, n, run, completeNewestFirst(scanGenerations(listed.value, n.jobId)));
    if (passed.passedOver.length > 0) poisoned = { passed_over: passed.passedOver, reason: n.distrust!.reason };
    const candidates = passed.candidates;
    if (candidates.length === 0 && poisoned) return done({ result: 'none', attempts });
    if (candidates.length === 0) {
      log.info({ url: site.url, job_id: n.jobId }, `stage-in: no checkpoint yet for job ${n.jobId} at ${site.url}; the job starts from the beginning`);
      return done({ result: 'none', attempts });
    }

    const rolled: number[] = [];
    let lastReason = '';
    for (const gen of candidates) {
      let scratch: string;
      try {
        scratch = await fsp.mkdtemp(path.join(n.cwd, SCRATCH_PREFIX));
      } catch (err) {
        return done({ result: 'failed', attempts, error: `stage-in: cannot write to the working directory: ${oneLine(err)}` });
      }
      try {
        const progress = startProgress({ label: `stage-in ${genName(gen)}`, bar: n.progress, stream: n.progressStream, logger: log });
        const got = await withRetry(
          () => fetchGeneration(site, { jobId: n.jobId, generation: gen, scratch, allowOutside: n.allowOutside, signal: n.signal, onBytes: (b) => progress.add(b), manifest: aheadManifest(n, gen) }),
          run,
        ).finally(() => progress.stop());
        attempts = Math.max(attempts, got.attempts);
        if (got.tag === 'failed') {
          if (got.error instanceof VerifyError) {
            lastReason = got.error.message;
            rolled.push(gen);
            log.warn({ url: site.url, generation: gen }, `stage-in: ${genName(gen)} does not verify: ${lastReason}; rolling back to the generation before`);
            continue;
          }
          return done({ result: 'failed', attempts, rolled_back: rolled, error: failureLine('stage-in from', site.url, got, n.redact) });
        }
        const m = got.value.manifest;
        try {
          await placeGeneration(m, n.cwd, got.value.temp);
        } catch (err) {
          return done({ result: 'failed', generation: gen, attempts, rolled_back: rolled, error: `stage-in: cannot restore ${genName(gen)} into ${n.cwd}: ${oneLine(err)}` });
        }
        log.info(
          { url: site.url, generation: gen, files: m.entries.length, bytes: m.bytes, rolled_back: rolled },
          `stage-in: restored ${genName(gen)} (${formatBytes(m.bytes)}) in ${((performance.now() - t0) / 1000).toFixed(2)} s${rolled.length ? ` after passing over ${rolled.map(genName).join(', ')}` : ''}`,
        );
        return done({ result: 'ok', generation: gen, files: fileList(m.entries), bytes: m.bytes, attempts, rolled_back: rolled });
      } finally {
        await fsp.rm(scratch, { recursive: true, force: true }).catch(() => {});
      }
    }
    return done({
      result: 'failed',
      attempts,
      rolled_back: rolled,
      error: `stage-in from ${site.url} failed: no generation verifies (tried ${rolled.map(genName).join(', ')}); last: ${lastReason}`,
    });
  } finally {
    site.close();
  }
}

/** The look-back's manifest of this generation, when it read it. */
function aheadManifest(n: Normalized, generation: number): Manifest | undefined {
  const newest = n.ahead?.newest;
  return newest?.generation === generation ? newest.manifest : undefined;
}
