import { promises as fsp, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import { readAhead, type ChunkRing } from '../staging/read-ahead.js';


/** A checkpoint file changed while it was read: its bytes may be a mix of two versions. */
export class TornFileError extends Error {
  override name = 'TornFileError';
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`checkpoint file '${path}' changed while it was read (${why})`);
  }
}

export interface OpenSource {
  fh: FileHandle;
  /** fstat at open time: what the read must still match at its end. */
  stat: BigIntStats;
}

/** Opens a regular file for a stable read; its stat is taken from the open descriptor. */
export async function openSource(abs: string, shown: string): Promise<OpenSource> {
  let fh: FileHandle;
  try {
    fh = await fsp.open(abs, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new TornFileError(shown, 'it was removed');
    throw err;
  }
  const stat = await fh.stat({ bigint: true });
  if (!stat.isFile()) {
    await fh.close();
    throw new TornFileError(shown, 'it is no longer a regular file');
  }
  return { fh, stat };
}

export interface ReadSourceOptions {
  hash: Hash;
  /** The path as shown in messages. */
  shown: string;
  /** The path to re-check at the end (a rename over it counts as a change). */
  abs: string;
  /** Read exactly this many bytes (an archive header already announced them); default: to EOF. */
  exact?: boolean;
  chunkSize?: number;
  /** Read into these buffers (see ChunkRing): only for a consumer done with each chunk in time. */
  ring?: ChunkRing;
  signal?: AbortSignal;
  /** Testing aid: runs after the last byte was read, before the final check. */
  afterRead?: () => void | Promise<void>;
}

/**
 * Yields a file's bytes, hashing each chunk as it passes (on the main
 * thread, while the next read and the consumer's write run on the pool). At the end
 * the file must still have the size, mtime, ctime and inode it had when it
 * was opened, else TornFileError: the copy may be torn and is never
 * published. Closes the file in every case.
 */
export async function* readSource(src: OpenSource, o: ReadSourceOptions): AsyncGenerator<Buffer> {
  const { fh, stat } = src;
  const size = Number(stat.size);
  let pos = 0;
  try {
    const chunks = readAhead(fh, { size: o.exact ? size : undefined, chunkSize: o.chunkSize, ring: o.ring, signal: o.signal });
    for await (const buf of chunks) {
      pos += buf.length;
      o.hash.update(buf);
      yield buf;
    }
    if (o.afterRead) await o.afterRead();
    const after = await fh.stat({ bigint: true });
    const why = changed(stat, after, pos);
    if (why) throw new TornFileError(o.shown, why);
    let now: BigIntStats;
    try {
      now = await fsp.lstat(o.abs, { bigint: true });
    } catch {
      throw new TornFileError(o.shown, 'it was removed');
    }
    if (now.ino !== stat.ino || now.dev !== stat.dev) throw new TornFileError(o.shown, 'it was replaced');
  } finally {
    await fh.close().catch(() => {});
  }
}

function changed(before: BigIntStats, after: BigIntStats, read: number): string | undefined {
  if (after.size !== before.size) return `size ${before.size} -> ${after.size}`;
  if (BigInt(read) !== before.size) return `read ${read} of ${before.size} bytes`;
  if (after.mtimeNs !== before.mtimeNs) return 'mtime changed';
  if (after.ctimeNs !== before.ctimeNs) return 'ctime changed';
  return undefined;
}

/** Seconds since the epoch, as precise as a double allows. */
export function seconds(ns: bigint): number {
  const s = ns / 1_000_000_000n;
  return Number(s) + Number(ns - s * 1_000_000_000n) / 1e9;
}
