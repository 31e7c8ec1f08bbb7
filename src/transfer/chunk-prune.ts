import { oneLine, type SiteEntry, type StagingSite } from '../staging/index.js';
import { planChunkPrune, scanChunks } from './chunk-store.js';
import type { GenerationState } from './generations.js';
import { readManifest } from './read-manifest.js';
import type { Manifest } from './manifest.js';
import { withRetry, type RetryRun } from './retry.js';

export interface ChunkPruneOptions {
  jobId: string;
  /** The listing of `<jobId>/` the generation pruning started from. */
  listing: SiteEntry[];
  /** Generations that stay published (the others' manifests are gone already). */
  kept: GenerationState[];
  /** Manifests already in memory (the one just published), by generation. */
  known: Map<number, Manifest>;
  run: RetryRun;
  /** Orphan chunks (newest first) kept up to this many bytes; default 0. */
  keepOrphanBytes?: number;
}

export type ChunkPruneResult = { removed: SiteEntry[] } | { skipped: string };

/**
 * Deletes the chunks no kept generation lists, and leftovers of puts that
 * never finished. Runs after the manifests that dropped them are deleted;
 * reads every kept manifest first, and deletes nothing when one of them
 * cannot be read: a chunk a published manifest still lists is never removed.
 */
export async function pruneChunks(site: StagingSite, o: ChunkPruneOptions): Promise<ChunkPruneResult> {
  const scan = scanChunks(o.listing, o.jobId);
  if (scan.stored.size === 0 && scan.leftovers.length === 0) return { removed: [] };
  const referenced = new Set<string>();
  for (const s of o.kept) {
    let m = o.known.get(s.generation);
    if (!m) {
      const got = await withRetry(() => readManifest(site, o.jobId, s.generation, o.run.signal), o.run);
      if (got.tag === 'failed') return { skipped: `manifest of generation ${s.generation} unreadable: ${oneLine(got.error)}` };
      m = got.value;
    }
    for (const [sha] of m.object.chunks ?? []) referenced.add(sha);
  }
  const drop = planChunkPrune(scan, referenced, o.keepOrphanBytes);
  if (drop.length === 0) return { removed: [] };
  const r = await withRetry(() => site.remove(drop, { signal: o.run.signal }), o.run);
  if (r.tag === 'failed') return { skipped: oneLine(r.error) };
  return { removed: drop };
}
