import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { ks } from '../helpers/run.js';
import { figure, listTree, MiB } from './lib.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Item 3, disk full: the staging directory is a 64 MiB tmpfs the test
 * mounts (we run as root) and unmounts. A stage-out that does not fit fails
 * with exit 21 and a line naming the problem, the previous generation stays
 * whole and restorable, and no temporary file is left on the full disk.
 */
/**
 * What a failed stage-out may leave: whole chunks (named by their hash, kept
 * for the next stage-out to reuse, and bounded by the pruning of orphans),
 * never a temp file, and everything that was there before untouched.
 */
function expectOnlyChunksAdded(now: string[], before: string[]): void {
  const extra = now.filter((k) => !before.includes(k));
  expect(before.filter((k) => !now.includes(k))).toEqual([]);
  expect(extra.filter((k) => !/^site\/df\/chunks\/[0-9a-f]{64}$/.test(k))).toEqual([]);
}

describe('disk full at the staging site', () => {
  it('fails clearly, keeps the previous generation, leaves no temp files', async () => {
    const root = tempDir('diskfull').dir;
    const mnt = path.join(root, 'mnt');
    const work = path.join(root, 'work');
    mkdirSync(mnt);
    mkdirSync(work);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mnt]);
    try {
      const url = pathToFileURL(path.join(mnt, 'site')).href;
      const small = randomBytes(8 * MiB);
      writeFileSync(path.join(work, 'state.bin'), small);
      const first = await ks(['transfer', '--out', '--checkpoint', 'state.bin', '--staging', url, '--job-id', 'df', '--workdir', work, '--no-progress']);
      expect(first.exitCode, first.stderr).toBe(0);
      const before = listTree(mnt);

      writeFileSync(path.join(work, 'state.bin'), randomBytes(100 * MiB));
      const t0 = performance.now();
      const full = await ks(['transfer', '--out', '--checkpoint', 'state.bin', '--staging', url, '--job-id', 'df', '--workdir', work, '--no-progress', '--transfer-retries', '2', '--transfer-backoff', '50ms']);
      const failMs = performance.now() - t0;
      expect(full.exitCode, full.stderr).toBe(21);
      expect(full.stderr).toMatch(/ENOSPC|no space/i);
      expect(full.stderr).not.toMatch(/\n\s+at /);
      expectOnlyChunksAdded(listTree(mnt), before);

      // The same through the run command (which restores gen 1 first, so the job writes the big
      // state): the record is still written and says why.
      const rec = path.join(root, 'rec.yml');
      const run = await ks(['-l', rec, '--checkpoint', 'state.bin', '--staging', url, '--job-id', 'df', '--transfer-retries', '1', '--transfer-backoff', '50ms', '--', 'sh', '-c', 'head -c 100M /dev/urandom > state.bin'], { cwd: work });
      expect(run.exitCode, run.stderr).toBe(21);
      const record = (parse(readFileSync(rec, 'utf8')) as any[]).at(-1);
      const stageOut = JSON.stringify(record);
      expect(stageOut).toMatch(/ENOSPC|no space/i);
      expectOnlyChunksAdded(listTree(mnt), before);

      const back = path.join(root, 'back');
      mkdirSync(back);
      const restore = await ks(['transfer', '--in', '--staging', url, '--job-id', 'df', '--workdir', back, '--no-progress']);
      expect(restore.exitCode, restore.stderr).toBe(0);
      expect(readFileSync(path.join(back, 'state.bin')).equals(small)).toBe(true);
      const line = full.stderr.split('\n').filter((l) => /ENOSPC|no space/i.test(l)).at(-1) ?? '';
      figure(`disk full (64 MiB tmpfs, 100 MiB checkpoint): exit 21 in ${(failMs / 1000).toFixed(2)} s, previous generation restored intact, 0 temp files left; message: ${line.replace(/^.*"msg":"/, '').slice(0, 160)}`);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});
