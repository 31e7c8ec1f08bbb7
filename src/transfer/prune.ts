import { oneLine, type SiteEntry, type StagingSite } from '../staging/index.js';
import { pruneChunks } from './chunk-prune.js';
import { readManifest } from './read-manifest.js';
import { VerifyError } from './verify-error.js';
import type { Manifest } from './manifest.js';
import { completeNewestFirst, genName, jobPrefix, planPrune, scanGenerations } from './generations.js';
import type { Normalized } from './options.js';
import { withRetry, type RetryRun } from './retry.js';

/**
 * Stage-out's last step: the newest --keep generations stay, and when a
 * failed attempt shipped this one, the newest from a clean end stays too;
 * then the chunks no kept generation lists go. Best effort: a failed prune
 * only leaves extra generations behind, so it is logged, not fatal.
 */
export async function prune(site: StagingSite, n: Normalized, run: RetryRun, published: Manifest): Promise<void> {
  const gen = published.generation;
  const listed = await withRetry(() => site.list(jobPrefix(n.jobId), { signal: n.signal }), run);
  if (listed.tag === 'failed') {
    n.logger.warn({ url: site.url }, `stage-out: pruning skipped: ${oneLine(listed.error)}`);
    return;
  }
  const states = scanGenerations(listed.value, n.jobId);
  let protect: number | undefined;
  if (!n.clean) {
    const found = await newestClean(site, n, run, completeNewestFirst(states).filter((g) => g < gen));
    if (found === 'unknown') return;
    protect = found;
  }
  const plan = planPrune(states, n.keep, protect);
  for (const batch of [plan.manifests, plan.data]) {
    if (batch.length === 0) continue;
    const r = await withRetry(() => site.remove(batch, { signal: n.signal }), run);
    if (r.tag === 'failed') {
      n.logger.warn({ url: site.url }, `stage-out: pruning stopped: ${oneLine(r.error)}`);
      return;
    }
    await n.hooks.phase?.('pruning');
  }
  if (plan.generations.length > 0 || plan.data.length > 0) {
    const kept = protect !== undefined && !plan.generations.includes(protect) ? ` and ${genName(protect)}, the newest from a clean end` : '';
    n.logger.info({ url: site.url, removed: plan.generations, protected: protect }, `stage-out: pruned ${plan.generations.length} old generation(s), keeping ${n.keep}${kept}`);
  }
  const gone = new Set(plan.generations);
  const chunks = await pruneChunks(site, {
    jobId: n.jobId,
    listing: listed.value,
    kept: states.filter((s) => s.manifest && !gone.has(s.generation)),
    known: new Map([[gen, published]]),
    run,
  });
  if ('skipped' in chunks) n.logger.warn({ url: site.url }, `stage-out: unreferenced chunks stay: ${chunks.skipped}`);
  else if (chunks.removed.length > 0) n.logger.debug({ url: site.url, objects: chunks.removed.length }, 'stage-out: removed chunks no kept generation lists');
}

/** Best effort, like prune: leftovers that stay are only space, never visible. */
export async function sweep(site: StagingSite, n: Normalized, run: RetryRun, stale: SiteEntry[]): Promise<void> {
  if (stale.length === 0) return;
  const r = await withRetry(() => site.remove(stale, { signal: n.signal }), run);
  if (r.tag === 'failed') n.logger.warn({ url: site.url }, `stage-out: leftovers of unfinished uploads stay: ${oneLine(r.error)}`);
  else n.logger.debug({ url: site.url, objects: stale.length }, 'stage-out: removed leftovers of unfinished uploads');
}

/**
 * The newest generation from a clean end among `newestFirst`, which a failed
 * attempt's stage-out must not prune; 'unknown' when a manifest cannot be
 * read (then nothing is pruned: extra generations are only space).
 */
async function newestClean(site: StagingSite, n: Normalized, run: RetryRun, newestFirst: number[]): Promise<number | undefined | 'unknown'> {
  for (const g of newestFirst) {
    const m = await withRetry(() => readManifest(site, n.jobId, g, n.signal), run);
    if (m.tag === 'failed') {
      if (m.error instanceof VerifyError) continue;
      n.logger.warn({ url: site.url, generation: g }, `stage-out: pruning skipped, cannot tell which generation is clean: ${oneLine(m.error)}`);
      return 'unknown';
    }
    if (m.value.clean !== false) return g;
  }
  return undefined;
}
