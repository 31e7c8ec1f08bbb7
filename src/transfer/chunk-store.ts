import { native } from '../native/addon.js';
import { SiteError, type SiteEntry, type StagingSite } from '../staging/index.js';
import { BufferPool } from '../staging/read-ahead.js';
import { CDC, hashedChunks } from './chunker.js';
import type { ChunkRef, DedupStats } from './manifest.js';
import { VerifyError } from './verify-error.js';

/**
 * Content-addressed chunks of a job, shared by all its generations:
 *
 *   <jobId>/chunks/<sha256>      one object per chunk, named by its content
 *
 * Built on the StagingSite operations alone (put, get, list, remove), so
 * every kind of site stores them the same way. A chunk's name is its hash,
 * so storing one twice is harmless and one stored by a killed stage-out is
 * as good as any: the next stage-out finds it in its listing and sends only
 * what is missing. Chunks are never written in place and are removed only
 * by pruning, once no kept manifest lists them.
 */

export const CHUNK_DIR = 'chunks';
const SHA = /^[0-9a-f]{64}$/;

export function chunkKey(jobId: string, sha: string): string {
  return `${jobId}/${CHUNK_DIR}/${sha}`;
}

export interface ChunkScan {
  /** Complete chunk objects by hash. */
  stored: Map<string, SiteEntry>;
  /** Temp files of puts that never finished, and anything else below chunks/. */
  leftovers: SiteEntry[];
}

/** Pure: the chunks in a listing of `<jobId>/`. */
export function scanChunks(entries: SiteEntry[], jobId: string): ChunkScan {
  const head = `${jobId}/${CHUNK_DIR}/`;
  const out: ChunkScan = { stored: new Map(), leftovers: [] };
  for (const e of entries) {
    if (!e.key.startsWith(head)) continue;
    const name = e.key.slice(head.length);
    if (!e.partial && SHA.test(name)) out.stored.set(name, e);
    else out.leftovers.push(e);
  }
  return out;
}

/**
 * Pure: what chunk pruning deletes: every leftover, and every stored chunk
 * no kept manifest lists, but for the newest such orphans up to
 * `keepOrphanBytes` (before an upload: what a killed stage-out stored, for
 * this one to reuse; bounded, so that kills in a row cannot fill the site).
 */
export function planChunkPrune(scan: ChunkScan, referenced: Set<string>, keepOrphanBytes = 0): SiteEntry[] {
  const drop = [...scan.leftovers];
  const orphans = [...scan.stored].filter(([sha]) => !referenced.has(sha)).map(([, e]) => e);
  orphans.sort((a, b) => b.mtimeMs - a.mtimeMs);
  let kept = 0;
  for (const e of orphans) {
    if (kept + e.size <= keepOrphanBytes) kept += e.size;
    else drop.push(e);
  }
  return drop;
}

export interface StoreOptions {
  jobId: string;
  /** Chunks the site holds (hash -> size); chunks stored here are added. */
  known: Map<string, number>;
  signal?: AbortSignal;
  /** Every byte of the data, sent or found at the site (progress). */
  onBytes?: (n: number) => void;
  /** Chunks put at once (they overlap the reading, cutting and hashing of the next ones). */
  concurrency?: number;
  /** The pool `body`'s buffers come from: each goes back once its chunks are stored or found. */
  pool?: BufferPool;
}

export interface StoredChunks {
  chunks: ChunkRef[];
  dedup: DedupStats;
}

/**
 * Cuts `body` into chunks and puts each one the site does not hold yet.
 * Rejects with the body's own error (a torn file) or the first failed put,
 * after every put in flight has settled; chunks stored until then stay and
 * are reused by the next try.
 */
export async function storeChunks(site: StagingSite, body: AsyncIterable<Uint8Array>, o: StoreOptions): Promise<StoredChunks> {
  const chunks: ChunkRef[] = [];
  const dedup: DedupStats = { bytes_new: 0, chunks_new: 0, chunks_reused: 0 };
  const limit = Math.max(1, o.concurrency ?? 6);
  const inflight = new Set<Promise<void>>();
  const sending = new Set<string>();
  let failed: { err: unknown } | undefined;
  // A function, not inline checks: TypeScript cannot see the put callbacks set it.
  const rethrow = () => {
    if (failed) throw failed.err;
  };
  try {
    for await (const c of hashedChunks(body, { pool: o.pool })) {
      rethrow();
      chunks.push([c.sha, c.size]);
      if (o.known.get(c.sha) === c.size || sending.has(c.sha)) {
        c.release();
        dedup.chunks_reused++;
        o.onBytes?.(c.size);
        continue;
      }
      while (inflight.size >= limit) await Promise.race(inflight);
      rethrow();
      dedup.chunks_new++;
      dedup.bytes_new += c.size;
      sending.add(c.sha);
      // The put runs while the next chunks are read, cut and hashed.
      const p: Promise<void> = site
        .put(chunkKey(o.jobId, c.sha), each(c.parts), { signal: o.signal, onBytes: o.onBytes })
        // Only a stored chunk's bytes are given back: after a failure a write may still be in flight.
        .then(() => void (o.known.set(c.sha, c.size), c.release()))
        .catch((err: unknown) => void (failed ??= { err }))
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
    rethrow();
  } finally {
    await Promise.allSettled(inflight);
  }
  return { chunks, dedup };
}

async function* each(parts: Buffer[]): AsyncGenerator<Buffer> {
  yield* parts;
}

export interface ReadChunksOptions {
  jobId: string;
  signal?: AbortSignal;
  /** Chunks fetched ahead of the one being consumed (they hide per-request latency). */
  ahead?: number;
}

/**
 * The data of a chunked generation, chunk by chunk in order, each checked
 * against its size and SHA-256 before it is yielded: a missing or damaged
 * chunk is a VerifyError (the generation is not whole), a site that fails
 * a SiteError. Holds at most `ahead + 1` chunks.
 */
export async function* readChunks(site: StagingSite, refs: ChunkRef[], o: ReadChunksOptions): AsyncGenerator<Buffer> {
  const ahead = Math.max(0, o.ahead ?? 3);
  // Where the site reads into buffers it is given (file://), chunks come in
  // reused ones: a fresh buffer per chunk is garbage V8 collects late, tens
  // of MiB of RSS over a 1 GiB restore. A yielded chunk is valid until the
  // one after the next is asked for, as with a ring.
  const pool = site.getChunks ? new BufferPool(CDC.max) : undefined;
  const yielded: Buffer[] = [];
  const queue: Promise<Buffer>[] = [];
  let next = 0;
  const fill = () => {
    while (next < refs.length && queue.length <= ahead) {
      const p = fetchChunk(site, o.jobId, refs[next++], o.signal, pool);
      p.catch(() => {});
      queue.push(p);
    }
  };
  try {
    fill();
    while (queue.length > 0) {
      const buf = await queue.shift()!;
      fill();
      yielded.push(buf);
      if (pool && yielded.length > 2) pool.give(yielded.shift()!);
      yield buf;
    }
  } finally {
    await Promise.allSettled(queue);
  }
}

async function fetchChunk(site: StagingSite, jobId: string, [sha, size]: ChunkRef, signal?: AbortSignal, pool?: BufferPool): Promise<Buffer> {
  const key = chunkKey(jobId, sha);
  let stream;
  try {
    stream = pool && site.getChunks ? await site.getChunks(key, { signal, buffers: pool }) : await site.get(key, { signal });
  } catch (err) {
    if (err instanceof SiteError && err.kind === 'missing') throw new VerifyError(`chunk ${sha.slice(0, 12)}… is missing (${site.describe(key)})`);
    throw err;
  }
  const parts: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of stream) {
      const b = c as Buffer;
      n += b.length;
      if (n > size) break;
      parts.push(b);
    }
  } catch (err) {
    if (err instanceof SiteError) throw err;
    throw new SiteError('retryable', `${site.describe(key)}: ${(err as Error).message}`, { cause: err });
  } finally {
    stream.destroy();
  }
  if (n !== size) throw new VerifyError(`chunk ${site.describe(key)} has ${n > size ? 'more than ' : ''}${n} bytes, the manifest says ${size}`);
  const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, n);
  if (parts.length > 1) parts.forEach((b) => pool?.give(b));
  // On the thread pool: the main thread meanwhile hashes the file being restored.
  const sum = await native().sha256(buf);
  if (sum !== sha) throw new VerifyError(`chunk ${site.describe(key)} fails its SHA-256 check (${sum.slice(0, 12)}…)`);
  return buf;
}
