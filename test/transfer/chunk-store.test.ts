import { describe, expect, it } from 'vitest';
import { createCipheriv, createHash } from 'node:crypto';
import type { StagingSite } from '../../src/staging/index.js';
import { BufferPool } from '../../src/staging/read-ahead.js';
import { openFileSite } from '../../src/staging/file.js';
import { readChunks, storeChunks } from '../../src/transfer/chunk-store.js';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * storeChunks against a site that records its puts: chunks go out in the
 * order they come, at most `concurrency` at once, each once; the first
 * failure (a put's, or the body's own) is the one reported, and only after
 * every put in flight has settled.
 */
const MiB = 1 << 20;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function seeded(size: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

async function* reads(data: Buffer, size = 4 * MiB, fail?: Error): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) {
    if (fail && at >= data.length / 2) throw fail;
    yield data.subarray(at, at + size);
  }
}

/** `data` read into buffers taken from `pool`, as readAhead does (the next read already taken while one is handed on). */
async function* pooled(data: Buffer, pool: BufferPool): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += pool.size) {
    const b = pool.take(Math.min(pool.size, data.length - at));
    data.copy(b, 0, at, at + b.length);
    await sleep(1);
    yield b;
  }
}

interface Recorded {
  site: StagingSite;
  started: string[];
  stored: Map<string, Buffer>;
  /** The distinct buffers the bodies' bytes were views of. */
  seen: Set<ArrayBufferLike>;
  peak: () => number;
  inflight: () => number;
}

/** A site whose puts take `ms` each; `failAt` makes the put with that index (0-based, in start order) reject. */
function recording(ms: number, fail: Map<number, Error> = new Map()): Recorded {
  const started: string[] = [];
  const stored = new Map<string, Buffer>();
  const seen = new Set<ArrayBufferLike>();
  let now = 0;
  let peak = 0;
  const site = {
    url: 'mem://',
    async put(key: string, body: AsyncIterable<Uint8Array>) {
      const index = started.push(key) - 1;
      peak = Math.max(peak, ++now);
      try {
        const parts: Uint8Array[] = [];
        for await (const p of body) {
          seen.add(p.buffer);
          parts.push(p);
        }
        // The bytes are taken only now: a buffer read into again meanwhile would show.
        await sleep(ms);
        const err = fail.get(index);
        if (err) throw err;
        stored.set(key, Buffer.concat(parts));
        return stored.get(key)!.length;
      } finally {
        now--;
      }
    },
    describe: (key: string) => `mem://${key}`,
  } as unknown as StagingSite;
  return { site, started, stored, seen, peak: () => peak, inflight: () => now };
}

describe('storeChunks', () => {
  it('puts each new chunk once, in order, at most `concurrency` at a time; the list holds every chunk', async () => {
    const half = seeded(12 * MiB, 'half');
    // The same 12 MiB twice: the second half's chunks (but those around the seam) are the first half's.
    const data = Buffer.concat([half, half]);
    const r = recording(5);
    const known = new Map<string, number>();
    const got = await storeChunks(r.site, reads(data), { jobId: 'j', known, concurrency: 3 });
    let at = 0;
    for (const [h, n] of got.chunks) {
      expect(h).toBe(sha(data.subarray(at, at + n)));
      at += n;
    }
    expect(at).toBe(data.length);
    const keys = [...new Set(got.chunks.map(([h]) => `j/chunks/${h}`))];
    expect(r.started).toEqual(keys);
    for (const [h, n] of got.chunks) expect(r.stored.get(`j/chunks/${h}`)?.length).toBe(n);
    expect(r.peak()).toBeLessThanOrEqual(3);
    expect(got.dedup.chunks_new).toBe(keys.length);
    expect(got.dedup.chunks_reused).toBe(got.chunks.length - keys.length);
    expect(got.dedup.chunks_reused).toBeGreaterThan(3);
    expect(known.size).toBe(keys.length);

    // Again, with what the site holds known: nothing is put.
    const again = recording(0);
    const second = await storeChunks(again.site, reads(data, 3 * MiB + 5), { jobId: 'j', known });
    expect(second.chunks).toEqual(got.chunks);
    expect(again.started).toEqual([]);
    expect(second.dedup).toMatchObject({ chunks_new: 0, bytes_new: 0, chunks_reused: got.chunks.length });
  });

  it('rejects with the first failed put, after every put in flight has settled', async () => {
    const data = seeded(24 * MiB, 'fail');
    const first = new Error('first');
    const r = recording(20, new Map([[2, first], [3, new Error('second')]]));
    const err = await storeChunks(r.site, reads(data), { jobId: 'j', known: new Map(), concurrency: 4 }).catch((e: unknown) => e);
    expect(err).toBe(first);
    expect(r.inflight()).toBe(0);
    // No chunk was handed to the site after the failure was seen.
    expect(r.started.length).toBeLessThan(12);
  });

  it("rejects with the body's own error (a torn file), after every put in flight has settled", async () => {
    const data = seeded(24 * MiB, 'torn');
    const torn = new Error('torn');
    const r = recording(30);
    const err = await storeChunks(r.site, reads(data, 4 * MiB, torn), { jobId: 'j', known: new Map() }).catch((e: unknown) => e);
    expect(err).toBe(torn);
    expect(r.inflight()).toBe(0);
    expect(r.started.length).toBeGreaterThan(0);
  });

  it('a pool buffer is read into again only once every chunk with a view of it is stored or found', async () => {
    const half = seeded(20 * MiB, 'pool');
    const data = Buffer.concat([half, half.subarray(0, 8 * MiB)]);
    const pool = new BufferPool(2 * MiB);
    const r = recording(15);
    const got = await storeChunks(r.site, pooled(data, pool), { jobId: 'j', known: new Map(), pool, concurrency: 4 });
    let at = 0;
    for (const [h, n] of got.chunks) {
      const want = data.subarray(at, at + n);
      expect(h).toBe(sha(want));
      const kept = r.stored.get(`j/chunks/${h}`);
      expect(kept && sha(kept)).toBe(h);
      at += n;
    }
    expect(at).toBe(data.length);
    // 14 reads of 2 MiB, into fewer buffers than that.
    expect(r.seen.size).toBeGreaterThan(1);
    expect(r.seen.size).toBeLessThan(14);
  });

  it('reads a file:// generation back into a few reused buffers, each chunk intact until the one after the next is asked for', async () => {
    const { dir } = tempDir('read-chunks');
    const site = openFileSite(pathToFileURL(dir).href, dir);
    const data = seeded(24 * MiB, 'read back');
    const r = recording(0);
    const { chunks } = await storeChunks(r.site, reads(data), { jobId: 'j', known: new Map() });
    for (const [key, bytes] of r.stored) await site.put(key, reads(bytes));
    expect(chunks.length).toBeGreaterThan(10);
    const buffers = new Set<ArrayBufferLike>();
    const held: [Buffer, string][] = [];
    let at = 0;
    for await (const c of readChunks(site, chunks, { jobId: 'j' })) {
      buffers.add(c.buffer);
      expect(sha(c)).toBe(sha(data.subarray(at, at + c.length)));
      at += c.length;
      // The chunk before this one is still as it came (a consumer may still be writing it).
      held.push([c, sha(c)]);
      if (held.length > 2) held.shift();
      expect(sha(held[0][0])).toBe(held[0][1]);
      await sleep(1);
    }
    expect(at).toBe(data.length);
    // A fresh buffer per chunk would give one per chunk: the pool keeps about ahead + 3.
    expect(buffers.size).toBeLessThanOrEqual(8);
  });
});
