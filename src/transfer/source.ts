import { promises as fsp, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Hash } from 'node:crypto';
import { readAhead, type ReadBuffers } from '../staging/read-ahead.js';
import type { CollectedEntry } from './collect.js';


/** A checkpoint file changed while it was read: its bytes may be a mix of two versions. */
export class TornFileError extends Error {
  override name = 'TornFileError';
  constructor(
    readonly path: string,
    readonly why: string,
    /**
     * The bytes read were one whole version, but a rename put a newer one in
     * its place: read again at once, no need to wait for a writer to finish.
     */
    readonly replaced = false,
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
export async function openSource(abs: string, shown: string, expect?: CollectedEntry['expect']): Promise<OpenSource> {
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
  const near = (ns: bigint, ms: number) => Math.abs(Number(ns) / 1e6 - ms) < 0.01;
  const same = expect && Number(stat.ino) === expect.ino && (expect.birthtimeMs === undefined || near(stat.birthtimeNs, expect.birthtimeMs));
  if (expect && same && (Number(stat.size) !== expect.size || !near(stat.mtimeNs, expect.mtimeMs))) {
    await fh.close();
    throw new TornFileError(shown, 'it is being rewritten in place since it was complete');
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
  /** Read into these buffers (see ChunkRing, BufferPool): only for a consumer done with each chunk in time. */
  ring?: ReadBuffers;
  signal?: AbortSignal;
  /** Testing aid: runs after the last byte was read, before the final check. */
  afterRead?: () => void | Promise<void>;
  /**
   * An append-only companion (--checkpoint-with): the prefix up to the size
   * at open is what is read, and the file may grow meanwhile. It must not
   * shrink or be replaced, and the last bytes read must read the same again
   * (an in-place rewrite that got past them changed them).
   */
  companion?: boolean;
  /** Counts every byte read, the re-read check included. */
  reads?: { bytes: number };
}

/** How much of a companion's prefix is read again to see it was not rewritten meanwhile. */
export const COMPANION_CHECK = 64 << 10;

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
  let tail: Buffer[] = [];
  let tailBytes = 0;
  try {
    const chunks = readAhead(fh, { size: o.exact || o.companion ? size : undefined, chunkSize: o.chunkSize, ring: o.ring, signal: o.signal });
    for await (const buf of chunks) {
      pos += buf.length;
      if (o.reads) o.reads.bytes += buf.length;
      o.hash.update(buf);
      if (o.companion) {
        // A copy: ring slots are reused.
        tail.push(Buffer.from(buf.subarray(Math.max(0, buf.length - COMPANION_CHECK))));
        tailBytes += tail.at(-1)!.length;
        while (tailBytes - tail[0].length >= COMPANION_CHECK) tailBytes -= tail.shift()!.length;
      }
      yield buf;
    }
    if (o.afterRead) await o.afterRead();
    const after = await fh.stat({ bigint: true });
    const why = o.companion ? await rewritten(fh, stat, after, pos, Buffer.concat(tail).subarray(-COMPANION_CHECK), o.reads) : changed(stat, after, pos);
    tail = [];
    if (why) throw new TornFileError(o.shown, why);
    let now: BigIntStats;
    try {
      now = await fsp.lstat(o.abs, { bigint: true });
    } catch {
      throw new TornFileError(o.shown, 'it was removed');
    }
    const unlinked = after.nlink === 0n;
    if (now.ino !== stat.ino || now.dev !== stat.dev || unlinked) throw new TornFileError(o.shown, 'it was replaced', !o.companion);
  } finally {
    await fh.close().catch(() => {});
  }
}

function changed(before: BigIntStats, after: BigIntStats, read: number): string | undefined {
  if (after.size !== before.size) return `size ${before.size} -> ${after.size}`;
  if (BigInt(read) !== before.size) return `read ${read} of ${before.size} bytes`;
  if (after.mtimeNs !== before.mtimeNs) return 'mtime changed';
  // A rename over the file unlinks it (its ctime moves): checked as a replacement by the caller.
  if (after.ctimeNs !== before.ctimeNs && after.nlink !== 0n) return 'ctime changed';
  return undefined;
}

/** A companion's check: growth is fine; shrinking, or its last bytes read differing now, is a rewrite. */
async function rewritten(fh: FileHandle, before: BigIntStats, after: BigIntStats, read: number, last: Buffer, reads?: { bytes: number }): Promise<string | undefined> {
  if (BigInt(read) !== before.size) return `read ${read} of ${before.size} bytes`;
  if (after.size < before.size) return `it shrank from ${before.size} to ${after.size} bytes: rewritten in place, not appended to`;
  if (after.mtimeNs === before.mtimeNs || last.length === 0) return undefined;
  const again = Buffer.allocUnsafe(last.length);
  const { bytesRead } = await fh.read(again, 0, last.length, read - last.length);
  if (reads) reads.bytes += bytesRead;
  if (bytesRead !== last.length || !again.equals(last)) return 'bytes before the captured length changed: rewritten in place, not appended to';
  return undefined;
}

/**
 * A file's identity as read: equal identities mean equal content unless
 * something wrote it and set both times back (ctime cannot be set back
 * without changing the clock), the test backup tools (restic, borg) use.
 */
export function identity(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** Seconds since the epoch, as precise as a double allows. */
export function seconds(ns: bigint): number {
  const s = ns / 1_000_000_000n;
  return Number(s) + Number(ns - s * 1_000_000_000n) / 1e9;
}
