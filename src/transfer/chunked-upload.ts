import { promises as fsp } from 'node:fs';
import { BufferPool } from '../staging/read-ahead.js';
import { oneLine, type SiteEntry, type StagingSite } from '../staging/index.js';
import { pruneChunks } from './chunk-prune.js';
import { readManifest } from './read-manifest.js';
import { completeNewestFirst, type GenerationState } from './generations.js';
import type { Normalized } from './options.js';
import { withRetry, type RetryRun } from './retry.js';
import { tarBody } from './archive.js';
import { scanChunks, storeChunks } from './chunk-store.js';
import { readOrder, type Collected } from './collect.js';
import type { Manifest, ManifestEntry } from './manifest.js';
import { announce, singleFile, type Stored } from './object-upload.js';
import { identity, seconds } from './source.js';


export interface ChunkedUploadOptions {
  jobId: string;
  /** Chunks the site holds (hash -> size), from the stage-out's listing. */
  known: Map<string, number>;
  /** The newest published manifest, when it is chunked: the source of unchanged files. */
  previous?: Manifest;
  signal?: AbortSignal;
  onBytes: (n: number) => void;
  /** Testing aid: runs after each file's bytes were read. */
  afterRead?: (path: string) => void | Promise<void>;
  /** Called once, when the first chunk is handed to the site or found there. */
  started?: () => void | Promise<void>;
  /** Counts every byte read. */
  reads?: { bytes: number };
}

/** What a chunked stage-out knows of the site before it uploads. */
export interface Chunked {
  /** Chunks the site holds: hash -> size. */
  known: Map<string, number>;
  previous?: Manifest;
}

/**
 * The chunks the site holds, less what a sweep removes first: temp files of
 * unfinished puts, and orphans (chunks no published manifest lists, stored
 * by killed stage-outs) beyond the newest `total` bytes of them, which this
 * stage-out may reuse. Also the newest manifest, when it is chunked, the
 * source of unchanged files. A manifest that cannot be read only means
 * nothing is swept and every file is read.
 */
export async function chunkIndex(site: StagingSite, n: Normalized, run: RetryRun, listing: SiteEntry[], states: GenerationState[], total: number): Promise<Chunked> {
  const scan = scanChunks(listing, n.jobId);
  const newest = completeNewestFirst(states)[0];
  let previous: Manifest | undefined;
  if (newest !== undefined) {
    const got = await withRetry(() => readManifest(site, n.jobId, newest, n.signal), { ...run, retries: 0 });
    if (got.tag === 'done') previous = got.value;
    else n.logger.debug({ url: site.url, generation: newest }, `stage-out: newest manifest unreadable (${oneLine(got.error)}); every file is read`);
  }
  const swept = await pruneChunks(site, {
    jobId: n.jobId,
    listing,
    kept: states.filter((s) => s.manifest),
    known: new Map(previous ? [[previous.generation, previous]] : []),
    run,
    keepOrphanBytes: total,
  });
  const gone = new Set('removed' in swept ? swept.removed.map((e) => e.key) : []);
  const known = new Map<string, number>();
  for (const [sha, e] of scan.stored) if (!gone.has(e.key)) known.set(sha, e.size);
  return { known, previous: previous?.object.chunks ? previous : undefined };
}

/**
 * Stores a generation as content-addressed chunks: the file as is, or one
 * tar of all entries (so small files share chunks and a shifted member
 * moves only the cuts around it). When nothing changed since the previous
 * generation (same entries, every file of the same identity, its chunks
 * still at the site) nothing is read: its chunk list is reused as is.
 */
export async function uploadChunked(site: StagingSite, found: Collected, o: ChunkedUploadOptions): Promise<Stored> {
  const same = await unchanged(found, o.previous, o.known);
  if (same) {
    o.onBytes(same.object.size);
    await o.started?.();
    return { ...same, dedup: { bytes_new: 0, chunks_new: 0, chunks_reused: same.object.chunks!.length } };
  }
  const single = found.entries.length === 1 && found.entries[0].type === 'file';
  const entries: ManifestEntry[] = [];
  let body: AsyncIterable<Buffer>;
  let entry: (() => ManifestEntry) | undefined;
  // No ring: a chunk may be a view of a read buffer while its put is in flight.
  // A single file is read into a pool instead, whose buffers come back as their
  // chunks are stored; 1 MiB each, since a chunk waiting in a put holds every
  // buffer it has bytes in (4 MiB ones held for ~1 MiB chunks: 90 MiB peak RSS
  // instead of 79). An archive's reads of small files are copied when held
  // (tarBody), so those buffers would never come back: fresh ones there.
  let pool: BufferPool | undefined;
  if (single) {
    pool = new BufferPool(1 << 20);
    const one = await singleFile(found.entries[0], { ring: pool, signal: o.signal, afterRead: o.afterRead, reads: o.reads });
    body = one.body;
    entry = one.entry;
  } else {
    body = tarBody(readOrder(found.entries), entries, { signal: o.signal, afterRead: o.afterRead, reads: o.reads });
  }
  const stored = await storeChunks(site, announce(body, o.started), { jobId: o.jobId, known: o.known, signal: o.signal, onBytes: o.onBytes, pool });
  if (entry) entries.push(entry());
  const size = stored.chunks.reduce((n, c) => n + c[1], 0);
  return { object: { format: single ? 'file' : 'tar', size, chunks: stored.chunks }, entries, dedup: stored.dedup };
}

/**
 * The previous generation's data when the checkpoint is what it was then:
 * the same paths and types in the same order, files of the same identity,
 * directories and links with the same mode, mtime and target, and every
 * chunk still at the site. One lstat per entry, no read.
 */
async function unchanged(found: Collected, prev: Manifest | undefined, known: Map<string, number>): Promise<Stored | undefined> {
  const chunks = prev?.object.chunks;
  if (!prev || !chunks || prev.entries.length !== found.entries.length) return undefined;
  if (!chunks.every(([sha, size]) => known.get(sha) === size)) return undefined;
  // In the order the archive holds them (and the manifest lists them).
  const order = readOrder(found.entries);
  for (let i = 0; i < order.length; i++) {
    const e = order[i];
    const p = prev.entries[i];
    if (e.path !== p.path || e.type !== p.type) return undefined;
    const st = await fsp.lstat(e.abs, { bigint: true }).catch(() => undefined);
    if (!st) return undefined;
    if (e.type === 'file') {
      if (!st.isFile() || p.id === undefined || identity(st) !== p.id) return undefined;
      continue;
    }
    if ((Number(st.mode) & 0o7777) !== p.mode || seconds(st.mtimeNs) !== p.mtime) return undefined;
    if (e.type === 'symlink' && (!st.isSymbolicLink() || (await fsp.readlink(e.abs).catch(() => undefined)) !== p.target)) return undefined;
    if (e.type === 'dir' && !st.isDirectory()) return undefined;
  }
  return { object: prev.object, entries: prev.entries };
}
