import { execa } from 'execa';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheRoots } from '../../src/binary/unpack.js';
import { tempDir } from '../helpers/temp-dir.js';
import { BINARY, RUNNERS, SCENARIOS, node } from './scenarios.js';

const t = tempDir('ks-binary-');
afterAll(t.cleanup);

describe('the single-file binary does what the npm bin does', () => {
  const nodes = Object.fromEntries(RUNNERS.map((r) => [r.name, node(r, join(t.dir, r.name.replace(/\W/g, '-')))]));
  for (const s of SCENARIOS) {
    const results: Record<string, unknown> = {};
    for (const r of RUNNERS) {
      it(`${r.name}: ${s.name}`, async () => {
        results[r.name] = await s.run(nodes[r.name]);
      });
    }
    it(`same results: ${s.name}`, () => {
      expect(Object.keys(results)).toEqual(RUNNERS.map((r) => r.name));
      for (const r of RUNNERS.slice(1)) expect(results[r.name]).toEqual(results[RUNNERS[0].name]);
    });
  }
});

/** The binary alone, in `env -i` with the given variables, from an empty directory. */
function binary(env: Record<string, string>, args = ['-l', '/dev/null', 'true']) {
  const cwd = tempDir('ks-binary-cwd-');
  const vars = Object.entries({ PATH: '/usr/bin:/bin', ...env }).map(([k, v]) => `${k}=${v}`);
  return execa('/usr/bin/env', ['-i', ...vars, BINARY, ...args], { cwd: cwd.dir, reject: false, stdin: 'ignore' }).finally(cwd.cleanup);
}

function unpacked(root: string): string[] {
  return readdirSync(root);
}

describe('unpacking the native parts', () => {
  const uid = process.getuid!();

  it('looks in $XDG_CACHE_HOME, then ~/.cache, then $TMPDIR/kickstart-<uid>', () => {
    expect(cacheRoots({ XDG_CACHE_HOME: '/x', HOME: '/h' }, 7, '/t')).toEqual(['/x/kickstart', '/h/.cache/kickstart', '/t/kickstart-7']);
    expect(cacheRoots({ XDG_CACHE_HOME: 'relative', HOME: '/' }, 7, '/t')).toEqual(['/t/kickstart-7']);
  });

  it('eight first starts at once on a node: all run, one private directory, no leftovers', async () => {
    const home = join(t.dir, 'race-home');
    mkdirSync(home);
    const runs = await Promise.all(Array.from({ length: 8 }, () => binary({ HOME: home })));
    expect(runs.map((r) => [r.exitCode, r.stderr])).toEqual(runs.map(() => [0, '']));
    const root = join(home, '.cache', 'kickstart');
    const dirs = unpacked(root);
    expect(dirs).toHaveLength(1);
    expect(dirs[0]).toMatch(/^\d+\.\d+\.\d+-[0-9a-f]{16}$/);
    expect(statSync(join(root, dirs[0])).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, dirs[0], 'ks-exec')).mode & 0o777).toBe(0o755);
    expect(readdirSync(join(root, dirs[0])).sort()).toEqual(['kickstart.node', 'ks-exec']);
  });

  it('a home that is not a directory: falls back to $TMPDIR/kickstart-<uid>', async () => {
    const tmp = join(t.dir, 'fallback-tmp');
    mkdirSync(tmp);
    const r = await binary({ HOME: '/dev/null', TMPDIR: tmp });
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(unpacked(join(tmp, `kickstart-${uid}`))).toHaveLength(1);
  });

  it('a cache directory others can write to is refused: one line naming each place and the fix, exit 127', async () => {
    const tmp = join(t.dir, 'planted-tmp');
    mkdirSync(join(tmp, `kickstart-${uid}`), { recursive: true });
    chmodSync(join(tmp, `kickstart-${uid}`), 0o777);
    const r = await binary({ HOME: '/dev/null', TMPDIR: tmp });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/^kickstart: cannot unpack its native parts into a private cache directory \(.*\/dev\/null\/\.cache\/kickstart: ENOTDIR; .*kickstart-\d+: not a directory owned by uid \d+ and writable only by it\); set XDG_CACHE_HOME to /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(unpacked(join(tmp, `kickstart-${uid}`))).toEqual([]);
  });

  it('a damaged unpack directory (a file removed by a cleaner) is replaced', async () => {
    const home = join(t.dir, 'damaged-home');
    mkdirSync(home);
    expect((await binary({ HOME: home })).exitCode).toBe(0);
    const root = join(home, '.cache', 'kickstart');
    const [dir] = unpacked(root);
    rmSync(join(root, dir, 'ks-exec'));
    const r = await binary({ HOME: home });
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(unpacked(root)).toEqual([dir]);
    expect(readdirSync(join(root, dir)).sort()).toEqual(['kickstart.node', 'ks-exec']);
  });
});
