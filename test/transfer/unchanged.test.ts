import { describe, expect, it } from 'vitest';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stageIn, stageOut } from '../../src/transfer/index.js';
import { freshStaging, generationKeys, kind, listKeys, options, workdir } from './helpers.js';

/** Unchanged is not a new generation: sizes first, then hashes, against the newest manifest. */
describe(`unchanged files (${kind})`, () => {
  it('publishes nothing when the files are those of the newest generation, and a new one for any changed byte', async () => {
    const a = workdir();
    const staging = freshStaging();
    const out = (keep = 2) => stageOut(options(a, staging, { checkpoints: ['ck', 'data'], keep }));
    writeFileSync(path.join(a, 'ck'), 'step 1');
    writeFileSync(path.join(a, 'data'), 'x'.repeat(1000));
    expect((await out()).generation).toBe(1);
    const keys = (await listKeys(staging)).map((e) => e.key);
    // Rewritten with the same bytes (a new inode and mtime): still unchanged.
    writeFileSync(path.join(a, 'ck.tmp'), 'step 1');
    renameSync(path.join(a, 'ck.tmp'), path.join(a, 'ck'));
    const same = await out();
    expect(same).toMatchObject({ result: 'unchanged', generation: 1, bytes: 1006 });
    expect(same.files.map((f) => f.path)).toEqual(['ck', 'data']);
    // ck (a new inode) was hashed; data, untouched (the identity its manifest
    // recorded), was not read at all. Nothing shipped.
    expect(same.reread).toBe(6);
    expect((await listKeys(staging)).map((e) => e.key)).toEqual(keys);
    // Same sizes, one byte different: a new generation.
    writeFileSync(path.join(a, 'ck'), 'step 2');
    expect(await out()).toMatchObject({ result: 'ok', generation: 2 });
    // A size that differs needs no hashing.
    writeFileSync(path.join(a, 'data'), 'x'.repeat(999));
    expect(await out()).toMatchObject({ result: 'ok', generation: 3 });
    const gone = await out();
    expect(gone).toMatchObject({ result: 'unchanged', generation: 3 });
    const b = workdir();
    expect((await stageIn(options(b, staging))).generation).toBe(3);
    expect(readFileSync(path.join(b, 'data'), 'utf8')).toBe('x'.repeat(999));
  });

  it('attempts that made no progress do not rotate the good generation out of --keep 1', async () => {
    const a = workdir();
    const staging = freshStaging();
    writeFileSync(path.join(a, 'ck'), 'good');
    expect((await stageOut(options(a, staging, { checkpoints: ['ck'], keep: 1 }))).generation).toBe(1);
    for (let attempt = 2; attempt <= 4; attempt++) {
      const b = workdir();
      expect((await stageIn(options(b, staging, { attempt }))).generation).toBe(1);
      // The restarted app fails at once, leaving the restored file as it was.
      const r = await stageOut(options(b, staging, { checkpoints: ['ck'], keep: 1, attempt }));
      expect(r).toMatchObject({ result: 'unchanged', generation: 1 });
    }
    expect(await generationKeys(staging)).toEqual(['job-1/gen-000001.manifest.json']);
  });

  it('a clean end publishes files a failed attempt shipped as they are: the clean generation is what stays restorable', async () => {
    const a = workdir();
    const staging = freshStaging();
    writeFileSync(path.join(a, 'ck'), 'state');
    expect((await stageOut(options(a, staging, { checkpoints: ['ck'], clean: false }))).generation).toBe(1);
    expect(await stageOut(options(a, staging, { checkpoints: ['ck'], clean: false }))).toMatchObject({ result: 'unchanged', generation: 1 });
    expect(await stageOut(options(a, staging, { checkpoints: ['ck'] }))).toMatchObject({ result: 'ok', generation: 2 });
    // A failed attempt after it, with nothing new: unchanged from the clean one.
    expect(await stageOut(options(a, staging, { checkpoints: ['ck'], clean: false }))).toMatchObject({ result: 'unchanged', generation: 2 });
  });

  it('a file added or removed is a change', async () => {
    const a = workdir();
    const staging = freshStaging();
    writeFileSync(path.join(a, 'restart.1'), 'one');
    const out = () => stageOut(options(a, staging, { checkpoints: ['restart.*'] }));
    expect((await out()).generation).toBe(1);
    writeFileSync(path.join(a, 'restart.2'), 'two');
    expect(await out()).toMatchObject({ result: 'ok', generation: 2 });
    renameSync(path.join(a, 'restart.1'), path.join(a, 'old.1'));
    expect(await out()).toMatchObject({ result: 'ok', generation: 3 });
    expect(await out()).toMatchObject({ result: 'unchanged', generation: 3 });
  });
});
