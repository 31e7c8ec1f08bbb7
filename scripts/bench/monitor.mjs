#!/usr/bin/env node
// Cost of resource sampling: kickstart's own CPU time (utime+stime from the
// record's top-level `usage`, which is kickstart's and not the job's) over a
// job tree of five processes lasting D seconds, with --monitor-interval 1s
// against --monitor-interval off. Each round runs both at once, so load drifts
// hit both alike. Figures: % of one core over the run; target: the difference
// (the monitor's cost) ≤ 1% of one core.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, figure, isQuick, show } from './lib.mjs';

const quick = isQuick();
const seconds = quick ? 10 : 20;
const rounds = quick ? 3 : 5;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'ks-bench-monitor-'));
const job = ['sh', '-c', `sleep ${seconds} & sleep ${seconds} & sleep ${seconds} & sleep ${seconds} & wait`];

/** One kickstart run; resolves with its own CPU seconds and the record's duration. */
function run(name, interval) {
  const record = path.join(dir, `${name}.json`);
  rmSync(record, { force: true });
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, '-H', '--format', 'json', '-l', record, '--monitor-interval', interval, '--', ...job], { stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`kickstart (${name}) exited ${code}`));
      const r = JSON.parse(readFileSync(record, 'utf8').trim().split('\n').pop());
      resolve({ cpu: r.usage.utime + r.usage.stime, duration: r.duration, samples: r.kickstart.monitor?.samples ?? 0 });
    });
  });
}

const on = [];
const off = [];
const cost = [];
try {
  for (let i = 0; i < rounds; i++) {
    const [a, b] = await Promise.all([run('on', '1s'), run('off', 'off')]);
    if (a.samples < seconds - 2) throw new Error(`monitoring took ${a.samples} samples in ${seconds} s`);
    on.push((a.cpu / a.duration) * 100);
    off.push((b.cpu / b.duration) * 100);
    cost.push((a.cpu / a.duration - b.cpu / b.duration) * 100);
    process.stderr.write(`round ${i + 1}/${rounds}: on ${a.cpu.toFixed(3)} s CPU / ${a.duration.toFixed(1)} s (${a.samples} samples), off ${b.cpu.toFixed(3)} s CPU / ${b.duration.toFixed(1)} s\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const figures = [
  figure({
    name: `kickstart's CPU over a ${seconds} s job, --monitor-interval 1s`,
    unit: '% of a core',
    samples: on,
    baseline: { name: '--monitor-interval off', samples: off },
  }),
  figure({
    name: 'monitoring cost at 1 s sampling (on − off, same round)',
    unit: '% of a core',
    samples: cost,
    target: { max: 1 },
  }),
];
show(`monitor (${rounds} rounds of ${seconds} s, on and off side by side)`, figures);
emit('monitor', figures);
