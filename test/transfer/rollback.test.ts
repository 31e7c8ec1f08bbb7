import { describe, it, expect } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { listGenerations, stageIn, stageOut } from '../../src/transfer/index.js';
import { TRAILER, encodeHeader, padding } from '../../src/transfer/archive-header.js';
import { buildManifest, serializeManifest, type ManifestEntry } from '../../src/transfer/manifest.js';
import { freshStaging, listKeys, options, readObject, workdir, writeObject, type Staging } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

async function twoGenerations(staging: Staging, checkpoints: string[], write: (dir: string, v: string) => void) {
  const a = workdir();
  write(a, 'one');
  expect((await stageOut(options(a, staging, { layout: 'object', checkpoints }))).result).toBe('ok');
  write(a, 'two');
  expect((await stageOut(options(a, staging, { layout: 'object', checkpoints, attempt: 2 }))).result).toBe('ok');
}

const single = (dir: string, v: string) => writeFileSync(path.join(dir, 'state.ckpt'), `state ${v}\n`.repeat(1000));
const several = (dir: string, v: string) => {
  mkdirSync(path.join(dir, 'ck'), { recursive: true });
  for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, 'ck', `f${i}`), `${v}-${i}\n`.repeat(500));
};

function flipByte(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] ^= 0xff;
  return c;
}

describe('rollback', () => {
  it('a corrupted stored file makes stage-in roll back to the generation before', async () => {
    const staging = freshStaging();
    await twoGenerations(staging, ['state.ckpt'], single);
    const key = 'job-1/gen-000002/state.ckpt';
    await writeObject(staging, key, flipByte(await readObject(staging, key), 100));

    const b = workdir();
    const r = await stageIn(options(b, staging));
    expect(r).toMatchObject({ result: 'ok', generation: 1, rolled_back: [2] });
    expect(readFileSync(path.join(b, 'state.ckpt'), 'utf8')).toBe('state one\n'.repeat(1000));
  });

  it('a corrupted file inside an archive is caught by its SHA-256 and rolled back past', async () => {
    const staging = freshStaging();
    await twoGenerations(staging, ['ck'], several);
    const key = 'job-1/gen-000002/checkpoint.tar';
    const tar = await readObject(staging, key);
    // Data of the third file: past 1 dir header, 2 file headers + data, and its own header.
    await writeObject(staging, key, flipByte(tar, tar.length - 1024 - 3000));

    const b = workdir();
    const r = await stageIn(options(b, staging));
    expect(r).toMatchObject({ result: 'ok', generation: 1, rolled_back: [2] });
    expect(readFileSync(path.join(b, 'ck/f4'), 'utf8')).toBe('one-4\n'.repeat(500));
  });

  it('a missing data object and a malformed manifest are rolled back past too', async () => {
    const staging = freshStaging();
    await twoGenerations(staging, ['state.ckpt'], single);
    const a = workdir();
    single(a, 'three');
    expect((await stageOut(options(a, staging, { layout: 'object', checkpoints: ['state.ckpt'], keep: 3 }))).result).toBe('ok');
    await writeObject(staging, 'job-1/gen-000003.manifest.json', '{"format": "kickstart-checkpoint/1", "generation": "x"');
    await writeObject(staging, 'job-1/gen-000002/state.ckpt', 'short');

    const b = workdir();
    const r = await stageIn(options(b, staging));
    expect(r).toMatchObject({ result: 'ok', generation: 1, rolled_back: [3, 2] });
  });

  it('when no generation verifies, stage-in fails with one line and writes nothing', async () => {
    const staging = freshStaging();
    const a = workdir();
    single(a, 'one');
    expect((await stageOut(options(a, staging, { layout: 'object', checkpoints: ['state.ckpt'] }))).result).toBe('ok');
    await writeObject(staging, 'job-1/gen-000001.manifest.json', '[1, 2, 3]\n');

    const b = workdir();
    const r = await stageIn(options(b, staging));
    expect(r.result).toBe('failed');
    expect(r.rolled_back).toEqual([1]);
    expect(r.error).toMatch(/no generation verifies \(tried gen-000001\); last: .*gen-000001\.manifest\.json: malformed manifest: manifest is not an object$/);
    expect(r.error).not.toContain('\n');
    expect(r.error).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(existsSync(path.join(b, 'state.ckpt'))).toBe(false);

    const gens = await listGenerations({ staging: staging.url, jobId: 'job-1', site: staging.site, verify: true });
    expect(gens).toHaveLength(1);
    expect(gens[0]).toMatchObject({ generation: 1, complete: true, verified: false });
    expect(gens[0].error).toMatch(/^malformed manifest: manifest is not an object$/);
  });

  it('listGenerations reports files, size, age and verification per generation', async () => {
    const staging = freshStaging();
    await twoGenerations(staging, ['ck'], several);
    const key = 'job-1/gen-000001/checkpoint.tar';
    const tar = await readObject(staging, key);
    // Byte 1034: inside the data of ck/f0 (after the headers of ck/ and ck/f0).
    await writeObject(staging, key, flipByte(tar, 1034));
    const gens = await listGenerations({ staging: staging.url, jobId: 'job-1', site: staging.site, verify: true });
    expect(gens.map((g) => [g.generation, g.complete, g.files, g.verified])).toEqual([
      [2, true, 5, true],
      [1, true, 5, false],
    ]);
    expect(gens[0].bytes).toBe(5 * 3000);
    expect(gens[0].age).toBeGreaterThanOrEqual(0);
    expect(gens[0].attempt).toBe(2);
    expect(gens[1].error).toMatch(/SHA-256/);
  });
});

/** A generation written by hand: a manifest naming `listed`, and a tar holding `entries`. */
async function craft(staging: Staging, listed: ManifestEntry[], entries: { name: string; data?: string; type?: 'file' | 'symlink'; link?: string }[]) {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    parts.push(encodeHeader({ name: e.name, type: e.type ?? 'file', size: e.type === 'symlink' ? 0 : data.length, mode: 0o644, mtime: 1_700_000_000, linkname: e.link }));
    if (e.type !== 'symlink') parts.push(data, Buffer.alloc(padding(data.length)));
  }
  parts.push(TRAILER);
  const tar = Buffer.concat(parts);
  await writeObject(staging, 'job-1/gen-000001/checkpoint.tar', tar);
  const m = buildManifest({
    job_id: 'job-1',
    generation: 1,
    attempt: 1,
    host: 'h',
    time: new Date().toISOString(),
    object: { key: 'gen-000001/checkpoint.tar', format: 'tar', size: tar.length },
    entries: listed,
  });
  await writeObject(staging, 'job-1/gen-000001.manifest.json', serializeManifest(m));
}

const fileEntry = (p: string, data: string): ManifestEntry => ({
  path: p,
  type: 'file',
  size: Buffer.byteLength(data),
  mode: 0o644,
  mtime: 1_700_000_000,
  sha256: createHash('sha256').update(data).digest('hex'),
});

describe('hostile generations', () => {
  it("an archive entry with '..' is refused and nothing lands outside the working directory", async () => {
    const staging = freshStaging();
    await craft(staging, [fileEntry('ok.txt', 'fine')], [
      { name: 'ok.txt', data: 'fine' },
      { name: '../evil.txt', data: 'pwned' },
    ]);
    const b = workdir();
    const r = await stageIn(options(b, staging));
    expect(r.result).toBe('failed');
    expect(r.error).toContain("archive entry '../evil.txt' refused: a '..' segment");
    expect(existsSync(path.join(b, '..', 'evil.txt'))).toBe(false);
    expect(existsSync(path.join(b, 'ok.txt'))).toBe(false);
  });

  it('an archive entry with an absolute name is refused', async () => {
    const staging = freshStaging();
    const target = path.join(tempDir('abs').dir, 'evil.txt');
    await craft(staging, [fileEntry('ok.txt', 'fine')], [
      { name: 'ok.txt', data: 'fine' },
      { name: target, data: 'pwned' },
    ]);
    const r = await stageIn(options(workdir(), staging));
    expect(r.result).toBe('failed');
    expect(r.error).toContain(`archive entry '${target}' refused: an absolute name`);
    expect(existsSync(target)).toBe(false);
  });

  it("a manifest path with '..' is a malformed manifest", async () => {
    const staging = freshStaging();
    await craft(staging, [fileEntry('../evil.txt', 'pwned')], [{ name: '../evil.txt', data: 'pwned' }]);
    const r = await stageIn(options(workdir(), staging));
    expect(r.result).toBe('failed');
    expect(r.error).toContain(`entries[0].path "../evil.txt" has a '..' segment`);
  });

  it('a file below a symlink of the same checkpoint is refused: restore never writes through a link', async () => {
    const staging = freshStaging();
    const outside = tempDir('target').dir;
    const link: ManifestEntry = { path: 'ck', type: 'symlink', size: 0, mode: 0o777, mtime: 1_700_000_000, target: outside };
    await craft(staging, [link, fileEntry('ck/evil.txt', 'pwned')], [
      { name: 'ck', type: 'symlink', link: outside },
      { name: 'ck/evil.txt', data: 'pwned' },
    ]);
    const r = await stageIn(options(workdir(), staging));
    expect(r.result).toBe('failed');
    expect(r.error).toContain('path "ck/evil.txt" lies below the symlink "ck"');
    expect(existsSync(path.join(outside, 'evil.txt'))).toBe(false);
  });

  it('a restored directory replaces a symlink that sits where the checkpoint has a directory', async () => {
    const staging = freshStaging();
    const a = workdir();
    mkdirSync(path.join(a, 'ck'));
    writeFileSync(path.join(a, 'ck/x'), 'inside');
    expect((await stageOut(options(a, staging, { layout: 'object', checkpoints: ['ck'] }))).result).toBe('ok');
    const b = workdir();
    const outside = tempDir('target').dir;
    const { symlinkSync, lstatSync } = await import('node:fs');
    symlinkSync(outside, path.join(b, 'ck'));
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(lstatSync(path.join(b, 'ck')).isDirectory()).toBe(true);
    expect(readFileSync(path.join(b, 'ck/x'), 'utf8')).toBe('inside');
    expect(existsSync(path.join(outside, 'x'))).toBe(false);
  });

  it('generations of other jobs are not touched', async () => {
    const staging = freshStaging();
    const a = workdir();
    single(a, 'one');
    expect((await stageOut(options(a, staging, { layout: 'object', checkpoints: ['state.ckpt'], jobId: 'job-2' }))).result).toBe('ok');
    expect((await stageIn(options(workdir(), staging))).result).toBe('none');
    expect((await listKeys(staging)).map((e) => e.key)).toEqual(['job-2/gen-000001.manifest.json', 'job-2/gen-000001/state.ckpt']);
  });
});
