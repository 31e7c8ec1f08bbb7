#!/usr/bin/env node
// Time for `kickstart --retries` to restart an attempt, from the records of a
// two-attempt run whose first attempt writes a 64 KiB checkpoint and fails:
//   restart  = attempt 2's job start − attempt 2's start (stage-in + spawn)
//   gap      = attempt 2's job start − attempt 1's job end (also stage-out,
//              the record, and the next attempt's set-up)
// Baseline: restarting by hand, a new `kickstart` process for attempt 2 on
// the same staging: from its spawn to its job's start. Record times have
// millisecond precision. 20 rounds (--quick: 5).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emit, figure, isQuick, show } from './lib.mjs';

const rounds = isQuick() ? 5 : 20;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));
const JOB = 'if [ "$KICKSTART_ATTEMPT" = 1 ]; then head -c 65536 /dev/urandom > ckpt; exit 1; fi; test -s ckpt';
const dir = mkdtempSync(path.join(tmpdir(), 'ks-bench-retry-'));

function kickstart(args, cwd) {
  const r = spawnSync(process.execPath, [bin, '-H', '--format', 'json', '--log-level', 'warn', ...args, 'sh', '-c', JOB], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kickstart exited ${r.status}: ${r.stderr.trim().split('\n').at(-1)}`);
  return r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

const ms = (iso) => Date.parse(iso);
try {
  const restart = [];
  const gap = [];
  const fresh = [];
  for (let i = 0; i < rounds; i++) {
    const work = path.join(dir, `work-${i}`);
    mkdirSync(work);
    const staging = ['--staging', pathToFileURL(path.join(dir, `stage-${i}`)).href, '--checkpoint', 'ckpt', '--job-id', `bench-${i}`];
    // Attempt 1 fails without progress, which backs off (from 1 s unless --retry-delay says otherwise):
    // 1 ms keeps the wait out of the figure, which is kickstart's own cost of a restart.
    const recs = kickstart(['--retries', '1', '--retry-delay', '1ms', ...staging], work);
    if (recs.length !== 2 || recs[1].kickstart.stage_in?.result !== 'ok') throw new Error('expected two attempts, the second staging the checkpoint in');
    const [a, b] = recs;
    restart.push(ms(b.mainjob.start) - ms(b.start));
    gap.push(ms(b.mainjob.start) - (ms(a.mainjob.start) + a.mainjob.duration * 1000));
    rmSync(path.join(work, 'ckpt'));
    const t0 = Date.now();
    const [c] = kickstart(['--attempt', '2', ...staging], work);
    fresh.push(ms(c.mainjob.start) - t0);
  }
  const baseline = { name: 'new kickstart process', samples: fresh };
  const figures = [
    figure({ name: 'retry: attempt start → job running (stage-in 64 KiB + spawn)', unit: 'ms', samples: restart, baseline }),
    figure({ name: 'retry: job 1 end → job 2 running', unit: 'ms', samples: gap, baseline }),
  ];
  show(`retry (${rounds} two-attempt runs)`, figures);
  emit('retry', figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
