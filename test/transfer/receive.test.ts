import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { receive } from '../../src/transfer/receive.js';
import type { ManifestEntry } from '../../src/transfer/manifest.js';

const { dir } = tempDir('receive');

const pieces = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000 + i, i));
const whole = Buffer.concat(pieces);
const entry = (more: Partial<ManifestEntry> = {}): ManifestEntry => ({
  path: 'data.bin',
  type: 'file',
  size: whole.length,
  mode: 0o644,
  mtime: 0,
  sha256: createHash('sha256').update(whole).digest('hex'),
  ...more,
});
async function* body() {
  for (const p of pieces) {
    yield p;
    await new Promise((r) => setImmediate(r));
  }
}

describe("a file's bytes received against its manifest entry", () => {
  it.each([0, 4096, 8 << 20])('written whole (at most %i bytes waiting for a write)', async (maxBatch) => {
    const dest = join(dir, `out-${maxBatch}`);
    await receive(body(), dest, entry(), 'file:///site/x', maxBatch);
    expect(readFileSync(dest).equals(whole)).toBe(true);
    expect(statSync(dest).mode & 0o777).toBe(0o600);
  });

  it('verify only: no destination, nothing written', async () => {
    await expect(receive(body(), undefined, entry(), 'w', 0)).resolves.toBeUndefined();
  });

  it('a size or SHA-256 other than the manifest says is a VerifyError naming the object and the file', async () => {
    await expect(receive(body(), undefined, entry({ size: 5 }), 'file:///site/x', 0)).rejects.toMatchObject({
      name: 'VerifyError',
      message: `file:///site/x: 'data.bin' has ${whole.length} bytes, the manifest says 5`,
    });
    await expect(receive(body(), join(dir, 'bad'), entry({ sha256: 'ab'.repeat(32) }), 'file:///site/x', 0)).rejects.toMatchObject({
      name: 'VerifyError',
      message: expect.stringMatching(/^file:\/\/\/site\/x: 'data.bin' fails its SHA-256 check \([0-9a-f]{12}… is not abababababab…\)$/),
    });
  });

  it('a failing body fails the receive, the file closed', async () => {
    const failing = (async function* () {
      yield pieces[0];
      throw new Error('connection reset');
    })();
    await expect(receive(failing, join(dir, 'torn'), entry(), 'w', 0)).rejects.toThrow('connection reset');
  });
});
