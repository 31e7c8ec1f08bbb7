import { afterAll, describe, expect, it } from 'vitest';
import { countAttempts } from '../helpers/count.js';
import { sleep } from '../helpers/run.js';
import { checkRun, ended, latestShipped, processesOf, slurm, startedAttempts, state, submit, t, timings, waitFor } from './slurm-lib.js';

/*
 * The seed scenario inside a real batch system (the single-node cluster of
 * global-setup.ts): examples/slurm/count.sbatch runs count.py through the
 * built kickstart, each attempt in a fresh directory, and requeues itself
 * while kickstart says "checkpointed". Slurm's own timings drift (its
 * requeue delay, its scheduler passes): only outcomes are asserted.
 */
afterAll(t.cleanup);

describe('the seed scenario under Slurm', () => {
  it('count.sbatch: --requeue until done, every attempt resuming from the staging site', async () => {
    // Deadlines of a few seconds; at 2 steps a second, 12 cannot be counted in one attempt.
    const n = 12;
    const run = submit('file', { COUNT_N: String(n), CHECKPOINT_TIME: '4s', MAX_WALLTIME: '6s' });
    expect(await ended(run), run.describe()).toBe('COMPLETED');
    const records = checkRun(run, n);
    expect(latestShipped(run).count).toBe(n);
    // Each attempt restored the generation the one before published.
    for (let i = 1; i < records.length; i++) {
      expect(records[i].kickstart.stage_in.generation).toBe(records[i - 1].kickstart.stage_out.generation);
    }
    console.log(`slurm, file:// staging, N=${n}, checkpoint 4 s, max walltime 6 s:\n${timings(run, Date.now())}`);
  });

  it.skipIf(!process.env.S3_ENDPOINT || !process.env.S3_BUCKET)('the same with s3:// staging (when an S3 server is given in S3_ENDPOINT, S3_BUCKET)', async () => {
    const n = 6;
    const run = submit('s3', {
      COUNT_N: String(n),
      CHECKPOINT_TIME: '4s',
      MAX_WALLTIME: '6s',
      STAGING: `s3://${process.env.S3_BUCKET}/engine-${Date.now()}`,
      AWS_ENDPOINT_URL: process.env.S3_ENDPOINT!,
    });
    expect(await ended(run), run.describe()).toBe('COMPLETED');
    checkRun(run, n);
    console.log(`slurm, s3:// staging, N=${n}:\n${timings(run, Date.now())}`);
  });

  it("Slurm's own signal drives the checkpoint: USR1 to the batch shell (as --signal=B:USR1@ sends it), kickstart ships, the job is requeued", async () => {
    const n = 8;
    const run = submit('signal', { COUNT_N: String(n), CHECKPOINT_TIME: 'none' });
    await waitFor('the first attempt to start counting', run, () => startedAttempts(run).length === 1, 300_000);
    await sleep(1500);
    // What Slurm does at --signal=B:USR1@TIME, without waiting for its periodic pass.
    slurm('scancel', ['--batch', '--signal=USR1', run.job]);
    expect(await ended(run), run.describe()).toBe('COMPLETED');
    const records = checkRun(run, n, { outcome: 'killed', exitcode: 143 });
    expect(records[0].kickstart.signals[0]).toMatchObject({ signal: 'SIGTERM', reason: 'forwarded' });
    expect(records[0].kickstart.stage_out.result).toBe('ok');
    expect(records[0].kickstart.deadline).toBeUndefined();
    console.log(`slurm, checkpoint on Slurm's signal, N=${n}:\n${timings(run, Date.now())}`);
  });

  it('crash drill: the running job is killed outright, requeued, and resumes from the last shipped generation', async () => {
    // Longer deadlines than above, to leave a wide window to aim the kill at;
    // an attempt counts 16 at most, so attempt 2 still has counting to do when the kill comes.
    const n = 30;
    const run = submit('drill', { COUNT_N: String(n), CHECKPOINT_TIME: '8s', MAX_WALLTIME: '10s' });
    // Aim at attempt 2 or later just after its count.py started: it has no
    // record yet, and the job is running (a kill between attempts would only
    // cancel the pending job).
    let target = 0;
    let counted = 0;
    await waitFor('a later attempt to start counting', run, () => {
      const starts = startedAttempts(run);
      const a = starts.at(-1) ?? 0;
      const fresh = starts.length > counted;
      counted = starts.length;
      if (!fresh || a < 2 || run.records().some((r) => r.kickstart.attempt === a) || state(run.job) !== 'RUNNING') return false;
      target = a;
      return true;
    }, 300_000);
    const shipped = latestShipped(run);
    // --batch: SIGKILL straight to every process of the batch step. Without it
    // Slurm cancels the job as usual (SIGTERM first, SIGKILL KillWait later)
    // and kickstart would ship the checkpoint on the way out.
    slurm('scancel', ['--batch', '--full', '--signal=KILL', run.job]);
    await waitFor('the killed job to stop', run, () => !['RUNNING', 'COMPLETING', 'CONFIGURING'].includes(state(run.job)), 60_000);
    await waitFor('the killed processes to be gone', run, () => processesOf(run).length === 0, 30_000);
    slurm('scontrol', ['requeue', run.job]);
    expect(await ended(run), run.describe()).toBe('COMPLETED');

    const records = checkRun(run, n);
    // Killed outright: the attempt wrote no record and shipped nothing.
    expect(records.map((r) => r.kickstart.attempt)).not.toContain(target);
    const next = records.find((r) => r.kickstart.attempt > target);
    expect(next, run.describe()).toBeDefined();
    expect(next.kickstart.stage_in.generation).toBe(shipped.generation);
    const resumed = countAttempts([next])[0];
    if (resumed.appAttempt) expect(resumed.from).toBe(shipped.count);
    expect(shipped.count).toBeGreaterThan(0);
    console.log(`slurm crash drill, N=${n}, checkpoint 8 s, max walltime 10 s: attempt ${target} killed (SIGKILL) with gen ${shipped.generation} (count ${shipped.count}) shipped:\n${timings(run, Date.now())}`);
  });
});
