import { native, type CdcCuts } from '../native/addon.js';

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
}

/**
 * Yields the chunks of `body` in order, each with its SHA-256, cut and
 * hashed on the thread pool (native/chunk-hash.c) one input buffer at a
 * time: while the pool works on buffer N, the main thread hands on the
 * chunks of N-1 and reads N+1 (which the body hashes whole). The input
 * buffers must stay valid after they were handed over (no ring).
 */
export async function* hashedChunks(body: AsyncIterable<Uint8Array>, p: CdcParams = CDC): AsyncGenerator<HashedChunk> {
  const addon = native();
  const hasher = addon.cdcHasher(p.min, p.avg, p.max);
  let parts: Buffer[] = [];
  let size = 0;
  function* split(buf: Buffer, r: CdcCuts): Generator<HashedChunk> {
    let from = 0;
    for (let i = 0; i < r.cuts.length; i++) {
      const at = r.cuts[i];
      if (at > from) parts.push(buf.subarray(from, at));
      size += at - from;
      const chunk = { sha: r.hashes[i], size, parts };
      parts = [];
      size = 0;
      from = at;
      yield chunk;
    }
    if (from < buf.length) parts.push(buf.subarray(from));
    size += buf.length - from;
  }
  let busy: { buf: Buffer; done: Promise<CdcCuts> } | undefined;
  try {
    for await (const u of body) {
      const b = Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
      if (b.length === 0) continue;
      // One call per hasher at a time: the previous buffer's ends where this one's begins.
      const prev = busy;
      const r = prev && (await prev.done);
      busy = { buf: b, done: addon.cdcHash(hasher, b) };
      if (prev) yield* split(prev.buf, r!);
    }
    if (busy) {
      const last = busy;
      busy = undefined;
      yield* split(last.buf, await last.done);
    }
    const sha = addon.cdcHashEnd(hasher);
    if (sha !== null) yield { sha, size, parts };
  } finally {
    // No pool work may go on using the hasher or a buffer once this returns.
    await busy?.done.catch(() => {});
  }
}

