import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { cutParts, partSize, PARTS_PER_STEP } from '../../src/staging/s3-upload.js';

/** How the S3 uploader cuts a body into parts (no server needed: pure logic). */
async function cut(chunks: Buffer[], base: number) {
  const taken: number[] = [];
  const take = async (size: number) => {
    taken.push(size);
    return Buffer.alloc(size);
  };
  async function* body() {
    yield* chunks;
  }
  const parts: { data: Buffer; last: boolean }[] = [];
  for await (const p of cutParts(body(), base, take)) parts.push({ data: Buffer.from(p.data), last: p.last });
  return { parts, taken };
}

describe('cutting a body into multipart parts', () => {
  it('parts of exactly the part size, the last one shorter, bytes in order', async () => {
    const data = randomBytes(10 * 7 + 3);
    // chunks that straddle part boundaries, and an empty one
    const chunks = [data.subarray(0, 13), data.subarray(13, 13), data.subarray(13, 40), data.subarray(40)];
    const { parts } = await cut(chunks, 10);
    expect(parts.map((p) => p.data.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 3]);
    expect(parts.map((p) => p.last)).toEqual([false, false, false, false, false, false, false, true]);
    expect(Buffer.concat(parts.map((p) => p.data)).equals(data)).toBe(true);
  });

  it('a body of exactly one part is one last part (a single PUT), not a multipart upload', async () => {
    const data = randomBytes(10);
    const { parts } = await cut([data.subarray(0, 4), data.subarray(4)], 10);
    expect(parts).toHaveLength(1);
    expect(parts[0].last).toBe(true);
    expect(parts[0].data.equals(data)).toBe(true);
  });

  it('a body ending on a part boundary marks its last full part as last', async () => {
    const data = randomBytes(30);
    const { parts } = await cut([data], 10);
    expect(parts.map((p) => [p.data.length, p.last])).toEqual([[10, false], [10, false], [10, true]]);
  });

  it('an empty body is one empty last part', async () => {
    const { parts, taken } = await cut([], 10);
    expect(parts).toEqual([{ data: Buffer.alloc(0), last: true }]);
    expect(taken).toEqual([]);
  });

  it('the part size doubles every 1000 parts, so 10 000 parts of an 8 MiB base hold terabytes', () => {
    expect(partSize(8, 0)).toBe(8);
    expect(partSize(8, PARTS_PER_STEP - 1)).toBe(8);
    expect(partSize(8, PARTS_PER_STEP)).toBe(16);
    let total = 0;
    for (let i = 0; i < 10_000; i++) total += partSize(8 << 20, i);
    expect(total / 2 ** 40).toBeGreaterThan(7.5);
  });

  it('asks for buffers of the growing size at the step', async () => {
    const { parts, taken } = await cut([Buffer.alloc(PARTS_PER_STEP * 2 + 5)], 2);
    expect(taken.slice(PARTS_PER_STEP - 1, PARTS_PER_STEP + 1)).toEqual([2, 4]);
    expect(parts.at(-1)!.last).toBe(true);
    expect(parts.reduce((s, p) => s + p.data.length, 0)).toBe(PARTS_PER_STEP * 2 + 5);
  });
});
