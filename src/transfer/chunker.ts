import { native } from '../native/addon.js';

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
 * Yields the chunks of `body` in order. A chunk that lies within one input
 * buffer is a view of it (no copy); one that spans buffers is joined. The
 * input buffers must stay valid after they were handed over (no ring).
 */
export async function* cdcChunks(body: AsyncIterable<Uint8Array>, p: CdcParams = CDC): AsyncGenerator<Buffer> {
  const cut = native().cdcCut;
  const state = new BigUint64Array(1);
  let parts: Buffer[] = [];
  let have = 0;
  const take = (): Buffer => {
    const out = parts.length === 1 ? parts[0] : Buffer.concat(parts, have);
    parts = [];
    have = 0;
    return out;
  };
  for await (const u of body) {
    const b = Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    let from = 0;
    while (from < b.length) {
      const at = cut(b, from, have, state, p.min, p.avg, p.max);
      if (at < 0) {
        parts.push(b.subarray(from));
        have += b.length - from;
        break;
      }
      if (at > from) parts.push(b.subarray(from, at));
      have += at - from;
      yield take();
      from = at;
    }
  }
  if (have > 0) yield take();
}
