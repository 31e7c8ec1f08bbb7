import { describe, it, expect } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync, lstatSync, readlinkSync, statSync, existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { stageIn, stageOut } from '../../src/transfer/index.js';
import { diffTrees, freshStaging, listKeys, options, snapshot, workdir } from './helpers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('round trip', () => {
  it('one file: content, mode and mtime come back; stored as is, no archive', async () => {
    const staging = freshStaging();
    const a = workdir();
    const data = randomBytes(300_000);
    writeFileSync(path.join(a, 'count.checkpoint'), data);
    chmodSync(path.join(a, 'count.checkpoint'), 0o640);
    utimesSync(path.join(a, 'count.checkpoint'), 1_700_000_000.123456, 1_700_000_000.123456);
    const before = statSync(path.join(a, 'count.checkpoint'));

    const out = await stageOut(options(a, staging, { layout: 'object', checkpoints: ['count.checkpoint'] }));
    expect(out).toMatchObject({ direction: 'out', result: 'ok', generation: 1, bytes: data.length, attempts: 1, url: staging.url });
    expect(out.files).toEqual([{ path: 'count.checkpoint', size: data.length, sha256: sha(data) }]);
    const keys = (await listKeys(staging)).map((e) => e.key);
    expect(keys).toEqual(['job-1/gen-000001.manifest.json', 'job-1/gen-000001/count.checkpoint']);

    const b = workdir();
    const back = await stageIn(options(b, staging));
    expect(back).toMatchObject({ direction: 'in', result: 'ok', generation: 1, bytes: data.length });
    expect(back.rolled_back).toBeUndefined();
    const after = statSync(path.join(b, 'count.checkpoint'));
    expect(readFileSync(path.join(b, 'count.checkpoint')).equals(data)).toBe(true);
    expect(after.mode & 0o7777).toBe(0o640);
    expect(Math.abs(after.mtimeMs - before.mtimeMs)).toBeLessThan(0.002);
  });

  it('files of many read chunks (reused buffers on file://) come back byte for byte: one file, and an archive', async () => {
    const staging = freshStaging();
    const a = workdir();
    // 4 MiB reads in a ring of three buffers: 4+ chunks per file reuse every slot.
    const big = randomBytes((16 << 20) + 12_345);
    writeFileSync(path.join(a, 'big.ckpt'), big);
    const out = await stageOut(options(a, staging, { checkpoints: ['big.ckpt'] }));
    expect(out.files).toEqual([{ path: 'big.ckpt', size: big.length, sha256: sha(big) }]);
    const b = workdir();
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(readFileSync(path.join(b, 'big.ckpt')).equals(big)).toBe(true);

    const dir = path.join(a, 'parts');
    mkdirSync(dir);
    const files = { 'a.bin': randomBytes((9 << 20) + 3), 'b.bin': randomBytes(100), 'c.bin': randomBytes(5 << 20) };
    for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
    const tar = await stageOut(options(a, staging, { checkpoints: ['parts'] }));
    expect(tar.result).toBe('ok');
    const c = workdir();
    expect((await stageIn(options(c, staging))).result).toBe('ok');
    for (const [name, data] of Object.entries(files)) expect(readFileSync(path.join(c, 'parts', name)).equals(data), name).toBe(true);
  });

  it('a directory of 1000 small files comes back identical (content, modes, mtimes), as one archive', async () => {
    const staging = freshStaging();
    const a = workdir();
    const root = path.join(a, 'state');
    for (let d = 0; d < 10; d++) {
      const dir = path.join(root, `shard-${d}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 100; f++) {
        const p = path.join(dir, `part-${f}.bin`);
        writeFileSync(p, randomBytes(f * 7));
        chmodSync(p, f % 3 === 0 ? 0o600 : f % 3 === 1 ? 0o644 : 0o755);
        utimesSync(p, 1_600_000_000 + f + d * 0.25, 1_600_000_000 + f + d * 0.25);
      }
      chmodSync(dir, d % 2 ? 0o750 : 0o755);
      utimesSync(dir, 1_650_000_000 + d, 1_650_000_000 + d);
    }
    // A name longer than ustar's 100 bytes needs the prefix field or a pax record.
    const deep = path.join(root, 'x'.repeat(90), 'y'.repeat(90));
    mkdirSync(deep, { recursive: true });
    writeFileSync(path.join(deep, 'z'.repeat(120)), 'long name');
    utimesSync(root, 1_650_000_100, 1_650_000_100);
    const want = snapshot(a);

    const out = await stageOut(options(a, staging, { layout: 'object', checkpoints: ['state'] }));
    expect(out.result).toBe('ok');
    expect(out.files).toHaveLength(1001);
    const keys = (await listKeys(staging)).map((e) => e.key);
    expect(keys).toEqual(['job-1/gen-000001.manifest.json', 'job-1/gen-000001/checkpoint.tar']);

    const b = workdir();
    const back = await stageIn(options(b, staging));
    expect(back.result).toBe('ok');
    expect(back.files).toHaveLength(1001);
    expect(diffTrees(want, snapshot(b))).toEqual([]);
  });

  it('a glob picks matching files only, and they round-trip', async () => {
    const staging = freshStaging();
    const a = workdir();
    mkdirSync(path.join(a, 'out/sub'), { recursive: true });
    writeFileSync(path.join(a, 'out/a.ckpt'), 'A');
    writeFileSync(path.join(a, 'out/b.ckpt'), 'B');
    writeFileSync(path.join(a, 'out/sub/c.ckpt'), 'C');
    writeFileSync(path.join(a, 'out/log.txt'), 'not a checkpoint');
    writeFileSync(path.join(a, 'out/.hidden.ckpt'), 'dotfiles need a pattern with a dot');

    const out = await stageOut(options(a, staging, { checkpoints: ['out/*.ckpt', 'out/**/c.ckpt'] }));
    expect(out.result).toBe('ok');
    expect(out.files.map((f) => f.path)).toEqual(['out/a.ckpt', 'out/b.ckpt', 'out/sub/c.ckpt']);

    const b = workdir();
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(readFileSync(path.join(b, 'out/a.ckpt'), 'utf8')).toBe('A');
    expect(readFileSync(path.join(b, 'out/sub/c.ckpt'), 'utf8')).toBe('C');
    expect(existsSync(path.join(b, 'out/log.txt'))).toBe(false);
    expect(existsSync(path.join(b, 'out/.hidden.ckpt'))).toBe(false);
  });

  it('stage-in replaces an older local copy and leaves no scratch folder behind', async () => {
    const staging = freshStaging();
    const a = workdir();
    writeFileSync(path.join(a, 'count.checkpoint'), '7');
    expect((await stageOut(options(a, staging, { checkpoints: ['count.checkpoint'] }))).result).toBe('ok');
    const b = workdir();
    writeFileSync(path.join(b, 'count.checkpoint'), '3');
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(readFileSync(path.join(b, 'count.checkpoint'), 'utf8')).toBe('7');
    expect(snapshot(b).size).toBe(1);
  });

  it('symlinks inside a checkpoint directory are stored as links, never followed', async () => {
    const staging = freshStaging();
    const a = workdir();
    mkdirSync(path.join(a, 'ck'));
    writeFileSync(path.join(a, 'ck/data'), 'payload');
    symlinkSync('data', path.join(a, 'ck/latest'));
    symlinkSync('/etc/passwd', path.join(a, 'ck/outside'));
    const out = await stageOut(options(a, staging, { checkpoints: ['ck'] }));
    expect(out.result).toBe('ok');
    // Only the regular file is content: /etc/passwd was not read.
    expect(out.files.map((f) => f.path)).toEqual(['ck/data']);

    const b = workdir();
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(lstatSync(path.join(b, 'ck/latest')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(b, 'ck/latest'))).toBe('data');
    expect(readlinkSync(path.join(b, 'ck/outside'))).toBe('/etc/passwd');
    expect(readFileSync(path.join(b, 'ck/latest'), 'utf8')).toBe('payload');
  });

  it('stage-in on the first attempt, with nothing staged yet, is "none", not an error', async () => {
    const staging = freshStaging();
    const r = await stageIn(options(workdir(), staging));
    expect(r).toMatchObject({ direction: 'in', result: 'none', files: [], bytes: 0 });
    expect(r.error).toBeUndefined();
  });

  it('stage-out when no declared file exists is "none" and publishes nothing', async () => {
    const staging = freshStaging();
    const r = await stageOut(options(workdir(), staging, { checkpoints: ['count.checkpoint', 'out/*.ckpt'] }));
    expect(r).toMatchObject({ result: 'none', missing: ['count.checkpoint', 'out/*.ckpt'] });
    expect(await listKeys(staging)).toEqual([]);
  });

  it('an empty file and an empty directory round-trip', async () => {
    const staging = freshStaging();
    const a = workdir();
    writeFileSync(path.join(a, 'empty'), '');
    mkdirSync(path.join(a, 'nothing'));
    const want = snapshot(a);
    expect((await stageOut(options(a, staging, { checkpoints: ['empty', 'nothing'] }))).result).toBe('ok');
    const b = workdir();
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(diffTrees(want, snapshot(b))).toEqual([]);
  });
});
