import { native, type CdcCuts } from '../native/addon.js';
import type { BufferPool } from '../staging/read-ahead.js';

/**
 * Content-defined chunking of a byte stream (FastCDC, see native/cdc.c):
 * about 1 MiB on average, never below 256 KiB (but the last) or above
 * 4 MiB, which keeps every chunk a single PUT on S3 (parts start at 8 MiB)
 * and bounds what one chunk holds in memory.
 */
export interface CdcParams {
  min: number;
  avg: number;
  max: number;
}

export const CDC: CdcParams = { min: 256 << 10, avg: 1 << 20, max: 4 << 20 };

/**
 * A chunk with its SHA-256. Its bytes are views of the input buffers: one,
 * or several when the chunk spans them (no copy either way).
 */
export interface HashedChunk {
  sha: string;
  size: number;
  parts: Buffer[];
  /** Done with the parts' bytes: their input buffers may go back to the pool (see HashOptions). */
  release(): void;
}

export interface HashOptions {
  params?: CdcParams;
  /**
   * The pool the input buffers were taken from: each goes back once the pool
   * thread is done with it and every chunk with a view of it was released.
   */
  pool?: BufferPool;
}

/**
 * Yields the chunks of `body` in order, each with its SHA-256, cut and
 * hashed on the thread pool (native/chunk-hash.c) one input buffer at a
 * time: while the pool works on buffer N, the main thread hands on the
 * chunks of N-1 and reads N+1 (which the body hashes whole). The input
 * buffers must stay valid after they were handed over: no ChunkRing, but a
 * BufferPool given as `pool`, which gets each buffer back when it is free.
 */
export async function* hashedChunks(body: AsyncIterable<Uint8Array>, o: HashOptions = {}): AsyncGenerator<HashedChunk> {
  const p = o.params ?? CDC;
  const addon = native();
  const hasher = addon.cdcHasher(p.min, p.avg, p.max);
  // Views of each input buffer held: by the pool thread, and by the chunks not yet released.
  const holds = new Map<ArrayBufferLike, number>();
  const hold = (b: Buffer) => void holds.set(b.buffer, (holds.get(b.buffer) ?? 0) + 1);
  const drop = (b: Buffer) => {
    const n = (holds.get(b.buffer) ?? 1) - 1;
    if (n > 0) return void holds.set(b.buffer, n);
    holds.delete(b.buffer);
    o.pool?.give(b);
  };
  let parts: Buffer[] = [];
  let size = 0;
  const add = (part: Buffer) => {
    hold(part);
    parts.push(part);
    size += part.length;
  };
  const chunk = (sha: string): HashedChunk => {
    const mine = parts;
    let held = true;
    const c = {
      sha,
      size,
      parts: mine,
      release: () => {
        if (held) mine.forEach(drop);
        held = false;
      },
    };
    parts = [];
    size = 0;
    return c;
  };
  function* split(buf: Buffer, r: CdcCuts): Generator<HashedChunk> {
    let from = 0;
    for (let i = 0; i < r.cuts.length; i++) {
      const at = r.cuts[i];
      if (at > from) add(buf.subarray(from, at));
      from = at;
      yield chunk(r.hashes[i]);
    }
    if (from < buf.length) add(buf.subarray(from));
    drop(buf);
  }
  let busy: { buf: Buffer; done: Promise<CdcCuts> } | undefined;
  try {
    for await (const u of body) {
      const b = Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      if (b.length === 0) continue;
      // One call per hasher at a time: the previous buffer's ends where this one's begins.
      const prev = busy;
      const r = prev && (await prev.done);
      hold(b);
      busy = { buf: b, done: addon.cdcHash(hasher, b) };
      if (prev) yield* split(prev.buf, r!);
    }
    if (busy) {
      const last = busy;
      busy = undefined;
      yield* split(last.buf, await last.done);
    }
    const sha = addon.cdcHashEnd(hasher);
    if (sha !== null) yield chunk(sha);
  } finally {
    // No pool work may go on using the hasher or a buffer once this returns.
    await busy?.done.catch(() => {});
  }
}
