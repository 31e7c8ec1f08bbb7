import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stageIn, stageOut } from '../../src/transfer/index.js';
import { freshStaging, listKeys, options, workdir, writeObject } from './helpers.js';

const out = (cwd: string, staging: ReturnType<typeof freshStaging>, keep?: number) =>
  stageOut(options(cwd, staging, { layout: 'object', checkpoints: ['n.ckpt'], ...(keep ? { keep } : {}) }));

describe('generations kept and pruned', () => {
  it('keeps the newest 2 by default and deletes older ones', async () => {
    const staging = freshStaging();
    const a = workdir();
    for (let i = 1; i <= 4; i++) {
      writeFileSync(path.join(a, 'n.ckpt'), String(i));
      const r = await out(a, staging);
      expect(r).toMatchObject({ result: 'ok', generation: i });
    }
    expect((await listKeys(staging)).map((e) => e.key)).toEqual([
      'job-1/gen-000003.manifest.json',
      'job-1/gen-000003/n.ckpt',
      'job-1/gen-000004.manifest.json',
      'job-1/gen-000004/n.ckpt',
    ]);
    const b = workdir();
    expect((await stageIn(options(b, staging))).generation).toBe(4);
    expect(readFileSync(path.join(b, 'n.ckpt'), 'utf8')).toBe('4');
  });

  it('--keep 1 keeps only the newest; --keep 3 keeps three', async () => {
    const staging = freshStaging();
    const a = workdir();
    for (let i = 1; i <= 3; i++) {
      writeFileSync(path.join(a, 'n.ckpt'), String(i));
      expect((await out(a, staging, 1)).result).toBe('ok');
    }
    expect((await listKeys(staging)).map((e) => e.key)).toEqual(['job-1/gen-000003.manifest.json', 'job-1/gen-000003/n.ckpt']);
    for (let i = 4; i <= 7; i++) {
      writeFileSync(path.join(a, 'n.ckpt'), String(i));
      expect((await out(a, staging, 3)).result).toBe('ok');
    }
    const manifests = (await listKeys(staging)).map((e) => e.key).filter((k) => k.endsWith('.manifest.json'));
    expect(manifests).toEqual(['job-1/gen-000005.manifest.json', 'job-1/gen-000006.manifest.json', 'job-1/gen-000007.manifest.json']);
  });

  it('leftovers of a failed upload are skipped over by numbering and removed by the next publish', async () => {
    const staging = freshStaging();
    const a = workdir();
    writeFileSync(path.join(a, 'n.ckpt'), 'one');
    expect((await out(a, staging)).generation).toBe(1);
    // What an interrupted stage-out leaves: data without a manifest, and a half-written manifest.
    await writeObject(staging, 'job-1/gen-000002/n.ckpt', 'torn');
    await writeObject(staging, 'job-1/gen-000003/checkpoint.tar', 'partial');
    // Stage-in does not see them.
    const b = workdir();
    expect((await stageIn(options(b, staging))).generation).toBe(1);
    writeFileSync(path.join(a, 'n.ckpt'), 'four');
    expect((await out(a, staging)).generation).toBe(4);
    expect((await listKeys(staging)).map((e) => e.key)).toEqual([
      'job-1/gen-000001.manifest.json',
      'job-1/gen-000001/n.ckpt',
      'job-1/gen-000004.manifest.json',
      'job-1/gen-000004/n.ckpt',
    ]);
  });

  it('leftovers of unfinished uploads are gone before the next upload, so repeated kills cannot fill the site', async () => {
    const staging = freshStaging();
    const a = workdir();
    writeFileSync(path.join(a, 'n.ckpt'), 'one');
    expect((await out(a, staging)).generation).toBe(1);
    for (let g = 2; g <= 6; g++) await writeObject(staging, `job-1/gen-00000${g}/n.ckpt`, `killed ${g}`);
    writeFileSync(path.join(a, 'n.ckpt'), 'seven');
    let atUpload: string[] = [];
    const r = await stageOut(options(a, staging, { layout: 'object', checkpoints: ['n.ckpt'], hooks: { phase: async (p) => { if (p === 'uploaded') atUpload = (await listKeys(staging)).map((e) => e.key); } } }));
    expect(r.generation).toBe(7);
    // Only the published generation and the one being written were there once the data was up.
    expect(atUpload.filter((k) => !k.startsWith('job-1/gen-000007'))).toEqual(['job-1/gen-000001.manifest.json', 'job-1/gen-000001/n.ckpt']);
  });
});
