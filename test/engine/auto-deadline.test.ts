import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { countAttempts } from '../helpers/count.js';
import { BIN, sleep } from '../helpers/run.js';
import { checkRun, ended, slurm, startedAttempts, state, submit, t, timings, waitFor, type Submitted } from './slurm-lib.js';

/*
 * --max-walltime auto under the real Slurm: count.sbatch with nothing but
 * `#SBATCH --time` (its default is --max-walltime auto; no checkpoint time
 * anywhere). Slurm's limits are whole minutes, so each attempt here is up
 * to a minute: the three runs are designed for as few minutes as possible.
 */
afterAll(t.cleanup);

/** Seconds from kickstart's SIGTERM to Slurm's end, for each attempt TERMed. */
function termBeforeEnd(r: any): number {
  const plan = r.kickstart.deadline.plan;
  return (Date.parse(plan.end) - (Date.parse(r.start) + r.kickstart.deadline.fired_at * 1000)) / 1000;
}

/** One line an attempt for the closing note: TERM before the end, estimated vs measured costs. */
function costs(run: Submitted): string {
  return run
    .records()
    .map((r: any) => {
      const p = r.kickstart.deadline?.plan ?? {};
      const fired = r.kickstart.deadline?.fired ? `TERM ${termBeforeEnd(r).toFixed(1)} s before the end (${p.end_from})` : 'no TERM';
      return `  attempt ${r.kickstart.attempt}: ${fired}; write est ${p.write_estimate?.seconds} s (${p.write_estimate?.rule}) vs ${p.measured?.write ?? '-'} s; ship est ${p.ship_estimate?.seconds} s (${p.ship_estimate?.rule}) vs ${p.measured?.ship ?? '-'} s; margin ${p.margin} s; ${r.kickstart.outcome}`;
    })
    .join('\n');
}

describe('deadlines from Slurm (--max-walltime auto)', () => {
  it('--time=1 and --requeue: every attempt TERMed before Slurm\'s end, shipped, requeued; the learned costs tighten', async () => {
    // One number a second: about 48 fit in the first minute, 54 in the next; 108 needs a third attempt.
    const n = 108;
    const t0 = Date.now();
    const run = submit('auto', { COUNT_N: String(n), COUNT_STEP: '1' }, ['--time=1']);
    expect(await ended(run, 420_000), run.describe()).toBe('COMPLETED');
    const records = checkRun(run, n);
    expect(records.length, run.describe()).toBeGreaterThanOrEqual(3);
    const interrupted = records.slice(0, -1);
    for (const r of interrupted) {
      const d = r.kickstart.deadline;
      expect(d.fired).toBe(true);
      expect(d.plan.end_from).toBe('slurm-squeue');
      expect(r.kickstart.stage_out.result).toBe('ok');
      // Before Slurm's end, by at least the planned ship + margin.
      expect(termBeforeEnd(r)).toBeGreaterThan(0);
      expect(r.kickstart.signals.some((s: any) => s.signal === 'SIGKILL')).toBe(false);
      expect(d.plan.measured.write).toBeGreaterThanOrEqual(0);
      expect(d.plan.measured.ship).toBeGreaterThan(0);
    }
    // First attempt: the default from the time left; then learned from the history, and smaller.
    const [first, second] = interrupted.map((r: any) => r.kickstart.deadline.plan);
    expect([first.write_estimate.rule, first.ship_estimate.rule]).toEqual(['default', 'default']);
    expect([second.write_estimate.rule, second.ship_estimate.rule]).toEqual(['learned', 'learned']);
    expect(second.history_attempts).toBe(1);
    expect(second.write_estimate.seconds + second.ship_estimate.seconds).toBeLessThan(first.write_estimate.seconds + first.ship_estimate.seconds);
    expect(termBeforeEnd(interrupted[1])).toBeLessThan(termBeforeEnd(interrupted[0]));
    console.log(`slurm --time=1, --max-walltime auto, N=${n}:\n${timings(run, Date.now())}\n${costs(run)}\n  run time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('scontrol update TimeLimit lengthens then shortens the limit mid-run: TERM moves with it', async () => {
    // About 48 in the first attempt: the second has a few seconds of counting left.
    const n = 56;
    const run = submit('moved', { COUNT_N: String(n), COUNT_STEP: '1', KICKSTART_ARGS: '--deadline-refresh 2s' }, ['--time=2']);
    await waitFor('the first attempt to start counting', run, () => startedAttempts(run).length === 1, 300_000);
    await sleep(3_000);
    slurm('scontrol', ['update', `JobId=${run.job}`, 'TimeLimit=3']);
    await sleep(6_000);
    slurm('scontrol', ['update', `JobId=${run.job}`, 'TimeLimit=1']);
    expect(await ended(run, 300_000), run.describe()).toBe('COMPLETED');
    const records = checkRun(run, n);
    const first = records[0].kickstart.deadline;
    const seen = first.plan.ends_seen.map((e: any) => ({ end: Date.parse(e.end), term: e.term_at }));
    expect(seen.length, JSON.stringify(first.plan.ends_seen)).toBe(3);
    // 2 min, then 3 (a minute later: TERM planned later), then 1 (TERM planned earlier still).
    expect((seen[1].end - seen[0].end) / 1000).toBe(60);
    expect((seen[2].end - seen[0].end) / 1000).toBe(-60);
    expect(seen[1].term).toBeGreaterThan(seen[0].term + 30);
    expect(seen[2].term).toBeLessThan(seen[0].term - 30);
    // And the timer that fired was the last one planned, before the shortened end.
    expect(first.fired).toBe(true);
    expect(Math.abs(first.fired_at - seen[2].term)).toBeLessThan(1);
    expect(termBeforeEnd(records[0])).toBeGreaterThan(0);
    console.log(`slurm TimeLimit 2 -> 3 -> 1 min mid-run: TERM planned at ${seen.map((s: any) => s.term).join(' -> ')} s, fired at ${first.fired_at} s\n${costs(run)}`);
  });

  it('--total-walltime: the budget ends the computation with budget-spent (exit 24), not requeued', async () => {
    const run = submit('budget', { COUNT_N: '200', COUNT_STEP: '1', KICKSTART_ARGS: '--total-walltime 20s' }, ['--time=1']);
    const final = await ended(run, 300_000);
    const records = run.records();
    expect(records.length, run.describe()).toBe(1);
    const k = records[0].kickstart;
    expect([k.outcome, k.exitcode]).toEqual(['budget-spent', 24]);
    expect(k.deadline.plan.end_from).toBe('total-walltime');
    expect(k.stage_out.result).toBe('ok');
    expect(countAttempts(records)[0].printed.length).toBeGreaterThan(5);
    // Exit 24 is a failure to Slurm, and count.sbatch does not requeue on it.
    expect(final, run.describe()).toBe('FAILED');
    const ls = execFileSync(process.execPath, [BIN, 'checkpoints', 'ls', '--staging', run.staging, '--job-id', `count-${run.job}`, '--no-verify'], { encoding: 'utf8' });
    expect(ls).toMatch(/total walltime 20s: spent \d+(\.\d+)?s, left \d+(\.\d+)?s/);
    console.log(`slurm --total-walltime 20s: ${k.outcome} after ${records[0].duration.toFixed(1)} s\n${costs(run)}\n${ls}`);
    expect(state(run.job)).toBe('FAILED');
  });
});
