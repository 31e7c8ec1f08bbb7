import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { readTar, tarBody } from '../../src/transfer/archive.js';
import type { CollectedEntry } from '../../src/transfer/collect.js';
import type { ManifestEntry } from '../../src/transfer/manifest.js';
import { ChunkRing } from '../../src/staging/read-ahead.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function entry(dir: string, name: string, data: Buffer): CollectedEntry {
  const abs = path.join(dir, name);
  writeFileSync(abs, data);
  return { path: name, abs, type: 'file', size: data.length, mode: 0o644, mtimeMs: 0, ino: 0, birthtimeNs: 0n } as unknown as CollectedEntry;
}

/**
 * A consumer that keeps put()'s contract and nothing more: chunk N-1's write
 * has ended before chunk N+1 is asked for, and chunk N is still being
 * written (slowly, as on a loaded disk) while the next one is produced.
 */
async function slowPut(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  let pending: Promise<void> = Promise.resolve();
  for await (const c of body) {
    await pending;
    pending = sleep(80).then(() => void out.push(Buffer.from(c)));
  }
  await pending;
  return Buffer.concat(out);
}

describe('tarBody with a ring of read buffers', () => {
  it('never reads into a slot whose write is still in flight, also across files (a large file, a small one, a large one)', async () => {
    const dir = tempDir('tar').dir;
    // 9 MiB + 3: three ring chunks; then a file of one small chunk; then 5 MiB.
    const files = { 'a.bin': randomBytes((9 << 20) + 3), 'b.bin': randomBytes(100), 'c.bin': randomBytes(5 << 20) };
    const entries = Object.entries(files).map(([n, d]) => entry(dir, n, d));
    const done: ManifestEntry[] = [];
    const tar = await slowPut(tarBody(entries, done, { ring: new ChunkRing() }));
    const back = new Map<string, Buffer>();
    await readTar(
      (async function* () {
        yield tar;
      })(),
      async (e, body) => {
        const parts: Buffer[] = [];
        for await (const c of body) parts.push(Buffer.from(c));
        back.set(e.name, Buffer.concat(parts));
      },
    );
    for (const [name, data] of Object.entries(files)) expect(back.get(name)?.equals(data), name).toBe(true);
    expect(done.map((e) => e.path)).toEqual(Object.keys(files));
  });
});
