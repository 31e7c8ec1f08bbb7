import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * The file system calls of a durable write (file:// puts): directories made
 * as mkdir -p would, whole writes, flushes while the body still comes, and
 * the directory's fsync after the rename.
 */

/** mkdir -p; a regular file in the way is ENOTDIR (mkdir -p itself says EEXIST). */
export async function mkdirs(d: string): Promise<void> {
  try {
    await fsp.mkdir(d, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: 'ENOTDIR' });
    }
    throw err;
  }
}

/** Bytes written between two early flushes. */
const FLUSH_EVERY = 32 << 20;

/**
 * Flushes a file being written while the rest is still coming (one
 * fdatasync at a time on the thread pool), so the disk works while the body
 * is read and hashed, and the final fsync has only the tail to write: with
 * lots of RAM the kernel would otherwise start writing only at that fsync.
 * done() waits for the flush in flight and rethrows its error: a write error
 * reported to one fdatasync is not reported again to the next.
 */
export interface EarlyFlush {
  /** Called before each write with the bytes written so far. */
  written(total: number): void;
  done(): Promise<void>;
}

export function earlyFlush(fh: FileHandle, every = FLUSH_EVERY): EarlyFlush {
  let flushed = 0;
  let inFlight: Promise<void> | undefined;
  let failure: { err: unknown } | undefined;
  return {
    written(total) {
      if (inFlight || failure || total - flushed < every) return;
      flushed = total;
      inFlight = fh.datasync().then(
        () => void (inFlight = undefined),
        (err: unknown) => void ((failure = { err }), (inFlight = undefined)),
      );
    },
    async done() {
      if (inFlight) await inFlight;
      if (failure) throw failure.err;
    },
  };
}

/** Writes the whole chunk (a short write resumes where it stopped). */
export async function writeAll(fh: FileHandle, chunk: Uint8Array): Promise<void> {
  let off = 0;
  while (off < chunk.byteLength) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off);
    off += bytesWritten;
  }
}

/** The directory fsync per directory that has not started yet: later callers join it. */
const queued = new Map<string, Promise<void>>();
/** The newest directory fsync per directory, running or queued. */
const newest = new Map<string, Promise<void>>();

/**
 * fsync of a directory, so a rename in it survives a crash: resolves once an
 * fsync that started after the call is done. Calls that come while one runs
 * share the next one (a group commit): a stage-out of a thousand chunks into
 * one folder costs a few directory fsyncs, not a thousand, and each put
 * still returns only once its rename is on disk.
 */
export function syncDir(d: string): Promise<void> {
  const waiting = queued.get(d);
  if (waiting) return waiting;
  const before = newest.get(d) ?? Promise.resolve();
  const p = before
    .catch(() => {})
    .then(() => {
      queued.delete(d);
      return fsyncDir(d);
    });
  queued.set(d, p);
  newest.set(d, p);
  p.catch(() => {}).finally(() => {
    if (newest.get(d) === p) newest.delete(d);
  });
  return p;
}

async function fsyncDir(d: string): Promise<void> {
  const fh = await fsp.open(d, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // Some filesystems refuse fsync on a directory; the rename still happened.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EBADF') throw err;
  } finally {
    await fh.close();
  }
}
