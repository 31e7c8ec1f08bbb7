import { describe, expect, it } from 'vitest';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { CDC, hashedChunks, type CdcParams } from '../../src/transfer/chunker.js';
import { native } from '../../src/native/addon.js';

/**
 * The cut points are a storage format: chunks already at the sites are found
 * by the hashes of these exact cuts, so every build must cut where the first
 * one did. The native cutter is checked against a plain transcription of
 * FastCDC here, and against cut lists the original cutter produced.
 */

const MiB = 1 << 20;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const M64 = (1n << 64n) - 1n;

/** native/cdc.c's gear table: splitmix64 from the seed "kickstar", as [hi, lo] halves. */
function gearTable(): { hi: Uint32Array; lo: Uint32Array } {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  let s = 0x6b69636b73746172n;
  for (let i = 0; i < 256; i++) {
    s = (s + 0x9e3779b97f4a7c15n) & M64;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    z ^= z >> 31n;
    hi[i] = Number(z >> 32n);
    lo[i] = Number(z & 0xffffffffn);
  }
  return { hi, lo };
}
const GEAR = gearTable();

/** The top `bits` bits of a 64-bit word, as [hi, lo]. */
function topBits(bits: number): [number, number] {
  const m = (M64 << BigInt(64 - bits)) & M64;
  return [Number(m >> 32n), Number(m & 0xffffffffn)];
}

/**
 * FastCDC, normalized chunking level 2, written out plainly over the whole
 * input: each chunk skips its first `min` bytes, then rolls h = 2h + gear[b]
 * (64-bit, from 0) and ends after the first byte where h & mask is 0, with
 * the stricter mask before `avg` bytes and the looser one after; a chunk
 * that reaches `max` bytes ends there. Returns the chunk lengths.
 */
function referenceLengths(data: Uint8Array, p: CdcParams): number[] {
  const bits = Math.floor(Math.log2(p.avg));
  const [sHi, sLo] = topBits(bits + 2);
  const [lHi, lLo] = topBits(bits - 2);
  const out: number[] = [];
  let start = 0;
  while (start < data.length) {
    const end = Math.min(start + p.max, data.length);
    let cut = end;
    let hi = 0;
    let lo = 0;
    for (let i = start + p.min; i < end; i++) {
      const b = data[i];
      // h = (h << 1) + gear[b], modulo 2^64, in two 32-bit halves.
      const lo2 = ((lo << 1) >>> 0) + GEAR.lo[b];
      hi = (((hi << 1) | (lo >>> 31)) + GEAR.hi[b] + (lo2 > 0xffffffff ? 1 : 0)) >>> 0;
      lo = lo2 >>> 0;
      const [mHi, mLo] = i - start < p.avg ? [sHi, sLo] : [lHi, lLo];
      if ((hi & mHi) === 0 && (lo & mLo) === 0) {
        cut = i + 1;
        break;
      }
    }
    out.push(cut - start);
    start = cut;
  }
  return out;
}

/** `data` in pieces of the given sizes, in turn (views, as reads hand them over). */
function* pieces(data: Buffer, sizes: number[]): Generator<Buffer> {
  let at = 0;
  for (let k = 0; at < data.length; k++) {
    const n = sizes[k % sizes.length];
    yield data.subarray(at, at + n);
    at += n;
  }
}

/** The native cutter's chunk sizes, each chunk checked as it comes: its size and SHA-256 are its bytes', which are views of `data`. */
async function nativeLengths(data: Buffer, sizes: number[], p: CdcParams): Promise<number[]> {
  const out: number[] = [];
  const wrong: string[] = [];
  for await (const c of hashedChunks(toAsync(pieces(data, sizes)), { params: p })) {
    const bytes = Buffer.concat(c.parts);
    if (c.parts.some((part) => part.buffer !== data.buffer)) wrong.push(`chunk ${out.length}: a copy`);
    if (bytes.length !== c.size || c.sha !== sha256(bytes)) wrong.push(`chunk ${out.length}: size ${c.size} or hash wrong`);
    out.push(c.size);
  }
  expect(wrong).toEqual([]);
  return out;
}

async function* toAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}

/** Incompressible but reproducible bytes. */
function seeded(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** Random bytes with runs of zeros, of 0xff (where no chunk ends before `max`) and of a short repeated pattern. */
function mixed(size: number, seed: string): Buffer {
  const b = seeded(size, seed);
  b.fill(0, Math.floor(size * 0.2), Math.floor(size * 0.3));
  b.fill(0xff, Math.floor(size * 0.3), Math.floor(size * 0.4));
  const pattern = seeded(97, `${seed}-pattern`);
  for (let i = Math.floor(size * 0.6); i < Math.floor(size * 0.75); i++) b[i] = pattern[i % 97];
  return b;
}

const SMALL: CdcParams = { min: 64, avg: 256, max: 1024 };
const ODD: CdcParams = { min: 1000, avg: 3000, max: 7000 };

describe('content-defined chunking (native/cdc.c)', () => {
  it('the reference finds chunks within the bounds', () => {
    const lengths = referenceLengths(mixed(1 * MiB, 'bounds'), SMALL);
    expect(lengths.slice(0, -1).every((n) => n > SMALL.min && n <= SMALL.max)).toBe(true);
    expect(lengths.filter((n) => n === SMALL.max).length).toBeGreaterThan(10);
  });

  const cases: { name: string; p: CdcParams; sizes: number[]; data: (n: number) => Buffer }[] = [
    { name: 'default sizes, random', p: CDC, sizes: [0, 1, 63, CDC.min - 1, CDC.min, CDC.min + 1, CDC.avg, CDC.max, CDC.max + 1, 3 * CDC.max + 12345, 20 * MiB], data: (n) => randomBytes(n) },
    { name: 'default sizes, zeros and patterns', p: CDC, sizes: [CDC.max - 1, CDC.max, 2 * CDC.max, 24 * MiB + 5], data: (n) => mixed(n, `d${n}`) },
    { name: 'small sizes, random', p: SMALL, sizes: [0, 1, 64, 65, 1000, 1 * MiB + 3], data: (n) => randomBytes(n) },
    { name: 'small sizes, zeros and patterns', p: SMALL, sizes: [2 * MiB], data: (n) => mixed(n, `s${n}`) },
    { name: 'odd sizes (avg not a power of two)', p: ODD, sizes: [1 * MiB + 17], data: (n) => mixed(n, `o${n}`) },
  ];
  for (const c of cases) {
    it(`cuts where the reference does, whatever the buffer splits: ${c.name}`, async () => {
      for (const size of c.sizes) {
        const data = c.data(size);
        const want = referenceLengths(data, c.p);
        const splits: number[][] = [[Math.max(1, size)], [4 * MiB], [c.p.min], [c.p.min - 1, c.p.avg + 1], [7, 4096, c.p.max + 3, 65536 - 1]];
        // Random splits, and single bytes where that stays quick.
        splits.push(Array.from({ length: 64 }, () => 1 + Math.floor(Math.random() * 3 * c.p.max)));
        if (size <= 64 << 10) splits.push([1]);
        for (const s of splits) {
          expect(await nativeLengths(data, s, c.p), `size ${size}, splits ${s.slice(0, 5).join(',')}`).toEqual(want);
        }
      }
    }, 120_000);
  }

  // Computed with the cutter of commit fe46713 (cdcCut: one loop choosing the
  // mask at every byte) and node:crypto's SHA-256: the hash of the chunk
  // lengths, and of every chunk's "length sha256" line. A change here means
  // chunks stored by earlier builds would no longer be found.
  const VECTORS = [
    {
      name: '64 MiB, default sizes',
      p: CDC,
      size: 64 * MiB,
      count: 45,
      cuts: '8f7a6783ee2b7591c7ff988864b3a8d941f76acd8484e98a0eca513ad228605d',
      chunks: 'd9d89ea9571ba10fac6478ec82733c48cc97b24a60ace0ac97680042acbf3d0d',
    },
    {
      name: '8 MiB, small sizes',
      p: SMALL,
      size: 8 * MiB,
      count: 29315,
      cuts: 'eea6d399696af4a094d4ea9b5395997159a18cee5083ff239c996efed4f15d04',
      chunks: 'ee00aff15344060931009b01c8be8044de58a283752f47ad9baae83201d37f3c',
    },
  ];
  for (const v of VECTORS) {
    it(`cuts and hashes a seeded stream as the first cutter did: ${v.name}`, async () => {
      const data = mixed(v.size, 'kickstart-cdc-vector');
      const summary = (list: { size: number; sha: string }[]) => ({
        count: list.length,
        cuts: sha256(Buffer.from(list.map((c) => c.size).join(','))),
        chunks: sha256(Buffer.from(list.map((c) => `${c.size} ${c.sha}\n`).join(''))),
      });
      const hashed: { size: number; sha: string }[] = [];
      for await (const c of hashedChunks(toAsync(pieces(data, [4 * MiB, 1 * MiB + 7])), { params: v.p })) hashed.push(c);
      expect(summary(hashed)).toEqual({ count: v.count, cuts: v.cuts, chunks: v.chunks });
    }, 120_000);
  }

  it("ends with the body's error; one cdcHash per hasher at a time; bounds are checked", async () => {
    const torn = new Error('torn');
    async function* failing() {
      yield randomBytes(3 * MiB);
      yield randomBytes(3 * MiB);
      throw torn;
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const c of hashedChunks(failing())) seen.push(c.size);
      })(),
    ).rejects.toBe(torn);
    expect(seen.length).toBeGreaterThan(0);

    const addon = native();
    const h = addon.cdcHasher(CDC.min, CDC.avg, CDC.max);
    // Shorter than min: no cut can fall in it, whatever the random bytes.
    const first = addon.cdcHash(h, randomBytes(CDC.min - 1));
    expect(() => addon.cdcHash(h, randomBytes(MiB))).toThrow(/has not completed/);
    expect(() => addon.cdcHashEnd(h)).toThrow(/has not completed/);
    expect((await first).cuts).toEqual([]);
    expect(addon.cdcHashEnd(h)).toMatch(/^[0-9a-f]{64}$/);
    expect(addon.cdcHashEnd(h)).toBeNull();
    expect(() => addon.cdcHasher(32, 64, 128)).toThrow(RangeError);
    expect(() => addon.cdcHash({} as never, Buffer.alloc(1))).toThrow(TypeError);
    const some = randomBytes(3 * MiB + 1);
    expect(await Promise.all([addon.sha256(Buffer.alloc(0)), addon.sha256(some), addon.sha256(some.subarray(7, 99))])).toEqual([sha256(Buffer.alloc(0)), sha256(some), sha256(some.subarray(7, 99))]);
    expect(() => addon.sha256('text' as never)).toThrow(TypeError);
  });
});
