#!/usr/bin/env node
// kickstart's own peak RSS (ru_maxrss through GNU time; kickstart's job and
// ks-exec are reaped by it and counted too, but are ~1 MB): a plain
// `kickstart /bin/true`, and a run that stages a 1 GiB checkpoint out
// (--quick: 64 MiB) then one that stages it in and out again, all file://.
// Baseline: `node -e 0`. Target: ≤ 80 MB. 5 rounds (--quick: 2).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emit, figure, isQuick, makeFile, show, skip } from './lib.mjs';

const TIME = '/usr/bin/time';
const quick = isQuick();
const rounds = quick ? 2 : 5;
const sizeMiB = quick ? 64 : 1024;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));

/** Peak RSS of the command in MB (10^6 bytes), from GNU time's %M (KiB). */
function peakMB(argv, cwd) {
  const r = spawnSync(TIME, ['-f', 'KS_MAXRSS %M', ...argv], { cwd, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const m = /KS_MAXRSS (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
  return (Number(m[1]) * 1024) / 1e6;
}

if (!existsSync(TIME)) {
  skip('rss', `${TIME} (GNU time, Debian package "time") is not installed`);
  process.exit(0);
}
const dir = mkdtempSync(path.join(tmpdir(), 'ks-bench-rss-'));
try {
  const work = path.join(dir, 'work');
  mkdirSync(work);
  process.stderr.write(`bench: writing ${sizeMiB} MiB of random data\n`);
  makeFile(path.join(work, 'ckpt.bin'), sizeMiB << 20);
  const node = [];
  const plain = [];
  const out = [];
  const inOut = [];
  for (let r = 0; r < rounds; r++) {
    const staging = pathToFileURL(path.join(dir, `stage-${r}`)).href;
    const transfer = ['--staging', staging, '--checkpoint', 'ckpt.bin', '--job-id', 'bench', '--log-level', 'warn'];
    node.push(peakMB([process.execPath, '-e', '0']));
    plain.push(peakMB([process.execPath, bin, '/bin/true']));
    out.push(peakMB([process.execPath, bin, '-H', ...transfer, '/bin/true'], work));
    inOut.push(peakMB([process.execPath, bin, '-H', ...transfer, '/bin/true'], work));
    rmSync(path.join(dir, `stage-${r}`), { recursive: true, force: true });
  }
  const baseline = { name: 'node -e 0', samples: node };
  const figures = [
    figure({ name: 'peak RSS: kickstart /bin/true', unit: 'MB', samples: plain, baseline, target: { max: 80 } }),
    figure({ name: `peak RSS: kickstart with stage-out of ${sizeMiB} MiB`, unit: 'MB', samples: out, baseline, target: { max: 80 } }),
    figure({ name: `peak RSS: kickstart with stage-in + stage-out of ${sizeMiB} MiB`, unit: 'MB', samples: inOut, baseline, target: { max: 80 } }),
  ];
  show(`rss (${rounds} rounds)`, figures);
  emit('rss', figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
