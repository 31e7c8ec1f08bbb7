import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COUNT_PY, PYTHON, countAttempts } from '../helpers/count.js';
import { execa } from 'execa';
import { BIN, ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

/*
 * Automatic deadlines without a batch system: --total-walltime alone (its
 * end is the budget's), and what --max-walltime auto does outside a batch
 * job. The batch systems themselves are tested in test/engine (real Slurm)
 * and through their parsers (test/supervise/deadline-sources).
 */
const t = tempDir();
afterAll(t.cleanup);

// Outside any batch system, whatever runs the tests.
const noBatch = { SLURM_JOB_ID: undefined, SLURM_JOBID: undefined, PBS_JOBID: undefined, LSB_JOBID: undefined, FLUX_JOB_ID: undefined, _CONDOR_JOB_AD: undefined };
const countEnv = { ...noBatch, COUNT_N: '100', COUNT_STEP: '0.2', KICKSTART_CLEANUP: 'rm -f count.checkpoint' };

function args(name: string, extra: string[]): string[] {
  const dir = join(t.dir, name);
  return ['-W', join(dir, 'work'), '-l', join(dir, 'records.yml'), '--checkpoint', 'count.checkpoint', '--staging', `file://${join(dir, 'staging')}`, '--job-id', 'count', ...extra, '--', PYTHON, COUNT_PY];
}

describe('--total-walltime', () => {
  it('TERMs at the budget end, ships, and stops with budget-spent (24), not retried; a later start finds it spent', async () => {
    const dir = join(t.dir, 'budget');
    const r = await ks(args('budget', ['--total-walltime', '6s', '--retries', '3']), { env: countEnv, recordFile: join(dir, 'records.yml') });
    expect(r.exitCode, r.stderr).toBe(24);
    expect(r.records).toHaveLength(1);
    const k = r.record.kickstart;
    expect(k.outcome).toBe('budget-spent');
    expect(k.deadline.fired).toBe(true);
    expect(k.stage_out.result).toBe('ok');
    const plan = k.deadline.plan;
    expect(plan.end_from).toBe('total-walltime');
    expect(plan.budget).toEqual({ total: 6, spent_before: 0, left_at_start: 6 });
    // 6 s left: 1 s write, 1 s ship, 2 s margin -> TERM 2 s after the start.
    expect([plan.write_estimate.seconds, plan.ship_estimate.seconds, plan.margin]).toEqual([1, 1, 2]);
    expect(k.deadline.checkpoint_time).toBeCloseTo(2, 1);
    expect(countAttempts(r.records)[0].printed.length).toBeGreaterThan(0);

    const history = JSON.parse(readFileSync(join(dir, 'staging', 'count', 'deadline-history.json'), 'utf8'));
    expect(history.total_walltime).toBe(6);
    expect(history.attempts).toHaveLength(1);
    expect(history.attempts[0]).toMatchObject({ attempt: 1, outcome: 'budget-spent', source: 'total-walltime' });
    expect(history.attempts[0].write).toBeGreaterThanOrEqual(0);
    expect(history.attempts[0].ship).toBeGreaterThan(0);

    const ls = await ks(['checkpoints', 'ls', '--staging', `file://${join(dir, 'staging')}`, '--job-id', 'count', '--no-verify'], { env: noBatch });
    expect(ls.stdout).toMatch(/total walltime 6s: spent \d+(\.\d+)?s, left \d+(\.\d+)?s over 1 attempt\n/);

    // A budget smaller than what is spent: nothing runs.
    const again = await ks(args('budget', ['--total-walltime', '1s', '--attempt', '2']), { env: countEnv, recordFile: join(dir, 'records.yml') });
    expect(again.exitCode, again.stderr).toBe(24);
    expect(again.stderr).toMatch(/--total-walltime is spent: not starting the job/);
    expect(again.record.kickstart.outcome).toBe('budget-spent');
    expect(again.record.mainjob).toBeUndefined();
    expect(again.record.kickstart.stage_in).toBeUndefined();

    // More budget, given later: the next attempt plans with the costs measured before, and counts on from the shipped checkpoint.
    const more = await ks(args('budget', ['--total-walltime', '60s', '--attempt', '3']), { env: { ...countEnv, COUNT_N: '25' }, recordFile: join(dir, 'records.yml') });
    expect(more.exitCode, more.stderr).toBe(0);
    const learned = more.record.kickstart.deadline.plan;
    expect([learned.write_estimate.rule, learned.ship_estimate.rule]).toEqual(['learned', 'learned']);
    expect(learned.write_estimate.samples).toEqual([history.attempts[0].write]);
    expect(learned.ship_estimate.samples).toEqual([history.attempts[0].ship]);
    expect(learned.budget.spent_before).toBeCloseTo(history.attempts[0].duration + again.record.duration, 0);
    expect(countAttempts([more.record])[0].from).toBeGreaterThan(0);
  });

  it('--checkpoint-cost is the first attempt\'s write and ship together', async () => {
    const dir = join(t.dir, 'learn');
    const r = await ks(args('learn', ['--total-walltime', '40s', '--checkpoint-cost', '4s']), { env: { ...countEnv, COUNT_N: '5' }, recordFile: join(dir, 'records.yml') });
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = r.record.kickstart.deadline.plan;
    expect(plan.write_estimate).toMatchObject({ seconds: 2, rule: 'checkpoint-cost' });
    expect(r.record.kickstart.deadline.fired).toBe(false);
  });
});

describe('--max-walltime auto outside a batch system', () => {
  it('runs without a deadline and says so in one line', async () => {
    const r = await ks(args('outside', ['--max-walltime', 'auto']), { env: { ...countEnv, COUNT_N: '2' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l.includes('no end time from a batch system'))).toHaveLength(1);
  });
  // Its usage errors are decided by the options alone: test/supervise/auto-options.test.ts and end-lookup.test.ts.
});

describe('--checkpoint-interval auto', () => {
  it("Young's interval from the history's interruptions, raised by --checkpoint-overhead; the job is asked at that interval", async () => {
    const dir = join(t.dir, 'interval');
    // Four earlier attempts each killed after 1 s: M = 1 s; costs under the floor: C = 0.5 + 0.5 s.
    const killed = [1, 2, 3, 4].map((a) => ({ attempt: a, start: `2026-12-04T03:0${a}:00.000Z`, duration: 1, outcome: 'killed', write: 0.1, ship: 0.1, bytes: 2 }));
    mkdirSync(join(dir, 'staging', 'count'), { recursive: true });
    writeFileSync(join(dir, 'staging', 'count', 'deadline-history.json'), JSON.stringify({ version: 1, job_id: 'count', attempts: killed }));
    const r = await ks(args('interval', ['--max-walltime', 'auto', '--checkpoint-interval', 'auto', '--checkpoint-signal', 'WINCH', '--checkpoint-overhead', '40%', '--attempt', '5']), {
      env: { ...countEnv, COUNT_N: '25' },
      recordFile: join(dir, 'records.yml'),
    });
    expect(r.exitCode, r.stderr).toBe(0);
    const k = r.record.kickstart;
    // Young: sqrt(2 * 1 * 1) = 1.414 s; 40 % overhead needs 1 * 0.6 / 0.4 = 1.5 s.
    expect(k.deadline.plan.interval).toMatchObject({ rule: 'overhead-cap', interval: 1.5, cost: 1, mtbi: 1, mtbiFrom: 'history', interruptions: 4 });
    const asked = k.signals.filter((s: any) => s.reason === 'checkpoint-request').map((s: any) => s.at);
    expect(asked.length, JSON.stringify(k.signals)).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < asked.length; i++) expect(asked[i] - asked[i - 1]).toBeGreaterThan(1.3);
    expect(k.live_uploads?.length ?? 0).toBeGreaterThanOrEqual(1);
  });
});

describe('an attempt killed outright', () => {
  it('still counts against --total-walltime as far as it got (the history is updated every --deadline-refresh)', async () => {
    const dir = join(t.dir, 'killed');
    const run = execa(process.execPath, [BIN, ...args('killed', ['--total-walltime', '60s', '--deadline-refresh', '1s'])], { env: { ...countEnv, COUNT_N: '25' }, reject: false });
    await new Promise((r) => setTimeout(r, 3500));
    run.kill('SIGKILL');
    await run;
    // The orphaned count.py gets SIGTERM from ks-exec once kickstart is gone (see orphan.test.ts).
    await new Promise((r) => setTimeout(r, 2500));
    const history = JSON.parse(readFileSync(join(dir, 'staging', 'count', 'deadline-history.json'), 'utf8'));
    expect(history.attempts).toHaveLength(1);
    expect(history.attempts[0].outcome).toBeUndefined();
    expect(history.attempts[0].duration).toBeGreaterThanOrEqual(1);
    const next = await ks(args('killed', ['--total-walltime', '60s', '--attempt', '2']), { env: { ...countEnv, COUNT_N: '3' }, recordFile: join(dir, 'records.yml') });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.record.kickstart.deadline.plan.budget.spent_before).toBe(history.attempts[0].duration);
  });
});

describe('a batch system that does not answer', () => {
  it('holds the job start up 2 s at most, says so, and the job runs without a deadline', async () => {
    const dir = join(t.dir, 'stuck');
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    // A stand-in for a qstat whose server never answers: it hangs until killed.
    writeFileSync(join(bin, 'qstat'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const r = await ks(['-l', join(dir, 'records.yml'), '--max-walltime', 'auto', '--', 'true'], {
      env: { ...noBatch, PBS_JOBID: '42.pbs', PATH: `${bin}:${process.env.PATH}` },
      recordFile: join(dir, 'records.yml'),
      timeout: 20_000,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the pbs look-up took longer than 2000 ms\); running without a deadline/);
    const held = Date.parse(r.record.mainjob.start) - Date.parse(r.record.start);
    expect(held).toBeGreaterThanOrEqual(1_900);
    expect(held).toBeLessThan(2_600);
    expect(r.record.kickstart.deadline.fired).toBe(false);
  });

  it('a job ad that is not a regular file (a FIFO nobody writes) is not read', async () => {
    const dir = join(t.dir, 'fifo');
    mkdirSync(dir, { recursive: true });
    const ad = join(dir, 'job.ad');
    execFileSync('mkfifo', [ad]);
    const r = await ks(['-l', join(dir, 'records.yml'), '--max-walltime', 'auto', '--', 'true'], { env: { ...noBatch, _CONDOR_JOB_AD: ad }, recordFile: join(dir, 'records.yml'), timeout: 20_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no answer from htcondor/);
  });
});
