#!/usr/bin/env node
// SIGTERM lateness after the checkpoint time: how long after the due time the
// application's SIGTERM handler runs. The application is a small C program,
// compiled here with cc, whose handler reads CLOCK_REALTIME (the clock the
// record's start is on) and prints it once it has returned. Per run:
//   due  = record.start + kickstart.deadline.checkpoint_time
//   late = handler time - due
// The record's start has millisecond precision, so figures are ±1 ms.
// Baseline: coreutils `timeout -s TERM` with the same delay, due = the wall
// time just before it is spawned. 100 runs (--quick: 15) with a checkpoint
// time of 0.5 s, p50 and p99.
// Target: p99 ≤ 10 ms.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, figure, isQuick, show, skip } from './lib.mjs';

const APP = String.raw`#include <signal.h>
#include <stdio.h>
#include <time.h>
static struct timespec at;
static volatile sig_atomic_t got;
static void on_term(int s) { (void)s; clock_gettime(CLOCK_REALTIME, &at); got = 1; }
int main(void) {
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigprocmask(SIG_BLOCK, &block, &old);
  struct sigaction sa = {0};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, 0);
  while (!got) sigsuspend(&old);
  printf("%lld.%09ld\n", (long long)at.tv_sec, at.tv_nsec);
  return 0;
}
`;

const runs = isQuick() ? 15 : 100;
// Long enough for the job to be started (and its handler installed) on a loaded machine.
const delay = 0.5;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'ks-bench-deadline-'));
const app = path.join(dir, 'app');
try {
  writeFileSync(`${app}.c`, APP);
  const cc = spawnSync('cc', ['-O2', '-o', app, `${app}.c`], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    skip('deadline', `no C compiler (cc): ${cc.error?.message ?? cc.stderr.trim().split('\n')[0]}`);
    process.exit(0);
  }
  const late = { kickstart: [], timer: [], timeout: [] };
  for (let i = 0; i < runs; i++) {
    const k = spawnSync(process.execPath, [bin, '-H', '--format', 'json', '--log-level', 'warn', '--checkpoint-time', `${delay}s`, '--max-walltime', '20s', app], { encoding: 'utf8' });
    const rec = JSON.parse(k.stdout);
    const due = Date.parse(rec.start) / 1000 + rec.kickstart.deadline.checkpoint_time;
    late.kickstart.push((Number(rec.files.stdout.data) - due) * 1000);
    late.timer.push((rec.kickstart.deadline.fired_at - rec.kickstart.deadline.checkpoint_time) * 1000);
    const t0 = Date.now() / 1000;
    const t = spawnSync('timeout', ['-s', 'TERM', String(delay), app], { encoding: 'utf8' });
    late.timeout.push((Number(t.stdout) - (t0 + delay)) * 1000);
  }
  // A run without a handler time: the job died of the SIGTERM before installing its handler.
  const lost = Object.fromEntries(Object.entries(late).map(([k, v]) => [k, v.filter((x) => !Number.isFinite(x)).length]));
  for (const k of Object.keys(late)) late[k] = late[k].filter(Number.isFinite);
  const note = lost.kickstart || lost.timeout ? `${lost.kickstart} kickstart and ${lost.timeout} timeout runs ended before the handler was installed` : undefined;
  const baseline = { name: 'timeout -s TERM', samples: late.timeout };
  const figures = [
    figure({ name: 'SIGTERM lateness at the checkpoint time', unit: 'ms', samples: late.kickstart, baseline }),
    figure({ name: 'SIGTERM lateness at the checkpoint time', unit: 'ms', stat: 'p99', samples: late.kickstart, baseline, target: { max: 10 }, note }),
    figure({ name: "kickstart's deadline timer lateness (fired_at)", unit: 'ms', stat: 'p99', samples: late.timer, note: 'ms resolution' }),
  ];
  show(`deadline (${runs} runs, checkpoint time ${delay} s)`, figures);
  emit('deadline', figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
