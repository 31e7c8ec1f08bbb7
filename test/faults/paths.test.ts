import { describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ks } from '../helpers/run.js';
import { figure, listTree } from './lib.js';
import { tempDir } from '../helpers/temp-dir.js';
import { manifestFor, plantGeneration, tar } from './tar.js';

/**
 * Item 4, paths: checkpoints outside the working directory need
 * --allow-outside; symlinks are stored as links and never followed on
 * restore; archive entries or manifest paths that climb out ('..',
 * absolute names, writing below a link) are refused, and nothing appears
 * outside the working directory.
 */
const oneLine = (s: string) => s.trim().split('\n').filter((l) => !l.startsWith('{')).length <= 1;
let checks = 0;
const check = () => checks++;

function world() {
  const root = tempDir('paths').dir;
  const job = path.join(root, 'job');
  const outside = path.join(root, 'outside');
  const site = path.join(root, 'site');
  mkdirSync(job);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'sentinel'), 'untouched\n');
  return { root, job, outside, site, url: pathToFileURL(site).href };
}

describe('paths', () => {
  it('refuses --checkpoint outside the working directory unless --allow-outside', async () => {
    const w = world();
    writeFileSync(path.join(w.root, 'x'), 'x');
    for (const spec of ['../x', path.join(w.root, 'x'), 'sub/../../x']) {
      for (const argv of [
        ['--checkpoint', spec, '--staging', w.url, '--job-id', 'p', '--', 'true'],
        ['transfer', '--out', '--checkpoint', spec, '--staging', w.url, '--job-id', 'p'],
      ]) {
        const r = await ks(argv, { cwd: w.job });
        expect(r.exitCode, `${argv.join(' ')}\n${r.stderr}`).toBe(127);
        expect(r.stderr).toMatch(/outside the working directory.*--allow-outside/);
        expect(oneLine(r.stderr)).toBe(true);
        check();
      }
      const ok = await ks(['--allow-outside', '--checkpoint', spec, '--staging', w.url, '--job-id', 'p', '--', 'true'], { cwd: w.job });
      expect(ok.exitCode, ok.stderr).toBe(0);
      check();
    }
    expect(existsSync(path.join(w.site, 'p'))).toBe(true);
  });

  it('stores symlinks as links and never follows them out on restore', async () => {
    const w = world();
    const ck = path.join(w.job, 'ck');
    mkdirSync(ck);
    writeFileSync(path.join(ck, 'data'), 'data\n');
    symlinkSync('data', path.join(ck, 'near'));
    symlinkSync('../../outside', path.join(ck, 'up'));
    symlinkSync(path.join(w.outside, 'sentinel'), path.join(ck, 'abs'));
    const out = await ks(['--checkpoint', 'ck', '--staging', w.url, '--job-id', 'links', '--', 'true'], { cwd: w.job });
    expect(out.exitCode, out.stderr).toBe(0);

    // A fresh working directory where 'ck' is already a link to the outside:
    // the restore replaces the link, it does not write through it.
    const b = path.join(w.root, 'restore');
    mkdirSync(b);
    symlinkSync(w.outside, path.join(b, 'ck'));
    const before = listTree(w.outside);
    const r = await ks(['transfer', '--in', '--staging', w.url, '--job-id', 'links', '--workdir', b]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(lstatSync(path.join(b, 'ck')).isDirectory()).toBe(true);
    for (const [name, target] of [['near', 'data'], ['up', '../../outside'], ['abs', path.join(w.outside, 'sentinel')]]) {
      expect(lstatSync(path.join(b, 'ck', name)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(path.join(b, 'ck', name))).toBe(target);
      check();
    }
    expect(listTree(w.outside)).toEqual(before);
    expect(readFileSync(path.join(w.outside, 'sentinel'), 'utf8')).toBe('untouched\n');
    check();
  });

  const hostile: { name: string; plant: (site: string, outside: string) => void; why: RegExp }[] = [
    {
      name: "archive entry with '..'",
      plant: (site) => {
        const data = Buffer.from('evil');
        const obj = tar([{ name: 'ck', type: 'dir' }, { name: '../../outside/evil', type: 'file', data }]);
        const m = manifestFor('j', 1, 'checkpoint.tar', 'tar', obj, [{ path: 'ck', type: 'dir' }, { path: 'ck/evil', type: 'file', data }]);
        plantGeneration(site, 'j', 1, 'checkpoint.tar', obj, JSON.stringify(m));
      },
      why: /does not verify|unexpected|unsafe|'\.\.'|elsewhere|not in the manifest|archive/i,
    },
    {
      name: 'archive entry with an absolute name',
      plant: (site, outside) => {
        const data = Buffer.from('evil');
        const obj = tar([{ name: 'ck', type: 'dir' }, { name: `${outside}/evil`, type: 'file', data }]);
        const m = manifestFor('j', 1, 'checkpoint.tar', 'tar', obj, [{ path: 'ck', type: 'dir' }, { path: 'ck/evil', type: 'file', data }]);
        plantGeneration(site, 'j', 1, 'checkpoint.tar', obj, JSON.stringify(m));
      },
      why: /does not verify|absolute|unsafe|archive|not in the manifest/i,
    },
    {
      name: "manifest path with '..'",
      plant: (site) => {
        const data = Buffer.from('evil');
        const m = manifestFor('j', 1, 'evil', 'file', data, [{ path: '../outside/evil', type: 'file', data }]);
        plantGeneration(site, 'j', 1, 'evil', data, JSON.stringify(m));
      },
      why: /'\.\.' segment/,
    },
    {
      name: 'manifest with an absolute path (no --allow-outside)',
      plant: (site, outside) => {
        const data = Buffer.from('evil');
        const m = manifestFor('j', 1, 'evil', 'file', data, [{ path: `${outside}/evil`, type: 'file', data }]);
        plantGeneration(site, 'j', 1, 'evil', data, JSON.stringify(m));
      },
      why: /outside the working directory/,
    },
    {
      name: 'a file below a symlink',
      plant: (site, outside) => {
        const data = Buffer.from('evil');
        const obj = tar([{ name: 'l', type: 'symlink', linkname: outside }, { name: 'l/evil', type: 'file', data }]);
        const m = manifestFor('j', 1, 'checkpoint.tar', 'tar', obj, [{ path: 'l', type: 'symlink', target: outside }, { path: 'l/evil', type: 'file', data }]);
        plantGeneration(site, 'j', 1, 'checkpoint.tar', obj, JSON.stringify(m));
      },
      why: /below the symlink/,
    },
  ];

  for (const h of hostile) {
    it(`refuses on restore: ${h.name}`, async () => {
      const w = world();
      h.plant(w.site, w.outside);
      const before = listTree(w.outside);
      const r = await ks(['transfer', '--in', '--staging', w.url, '--job-id', 'j', '--workdir', w.job]);
      expect(r.exitCode, r.stderr).toBe(20);
      expect(r.stderr).toMatch(h.why);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(listTree(w.outside)).toEqual(before);
      expect(listTree(w.job)).toEqual([]);
      check();
    });
  }

  it('figures', () => {
    figure(`paths: ${checks} refusal/link checks passed (outside paths, links kept as links, ${hostile.length} hostile generations refused)`);
  });
});
