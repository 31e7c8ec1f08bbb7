import type { StagingSite } from '../staging/index.js';
import { genName } from './generations.js';
import { readManifest } from './read-manifest.js';
import type { Normalized } from './options.js';
import { withRetry, type RetryRun } from './retry.js';

/**
 * Stage-in after a crash loop (see supervise/retry-policy.ts): the poisoned
 * generations, and every newer one a failed attempt shipped, are passed over
 * for the one before. Reads only the manifests of generations newer than the
 * oldest poisoned one; one that cannot be read is left to stage-in's own
 * verification.
 */
export async function passOverPoisoned(
  site: StagingSite,
  n: Normalized,
  run: RetryRun,
  newestFirst: number[],
): Promise<{ candidates: number[]; passedOver: number[] }> {
  const d = n.distrust;
  if (!d || d.generations.length === 0) return { candidates: newestFirst, passedOver: [] };
  const floor = Math.min(...d.generations);
  const poisoned = new Set(d.generations);
  const candidates: number[] = [];
  const passedOver: number[] = [];
  for (const g of newestFirst) {
    if (poisoned.has(g)) {
      passedOver.push(g);
      continue;
    }
    if (g > floor) {
      const m = await withRetry(() => readManifest(site, n.jobId, g, n.signal), run);
      if (m.tag === 'done' && m.value.clean === false) {
        passedOver.push(g);
        continue;
      }
    }
    candidates.push(g);
  }
  if (passedOver.length > 0) {
    n.logger.warn(
      { url: site.url, passed_over: passedOver },
      `stage-in: ${d.reason}; passing over ${passedOver.map(genName).join(', ')}${candidates.length ? '' : ' (nothing older: the job starts from the beginning)'}`,
    );
  }
  return { candidates, passedOver };
}
