import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { COUNT_PY, PYTHON, countAttempts, resumeProblems } from '../helpers/count.js';
import { BIN, ROOT, sleep, tempDir } from '../helpers/run.js';

/*
 * The seed scenario inside a real batch system (the single-node cluster of
 * global-setup.ts): examples/slurm/count.sbatch runs count.py through the
 * built kickstart, each attempt in a fresh directory, and requeues itself
 * while kickstart says "checkpointed". Slurm's own timings drift (its
 * requeue delay, its scheduler passes): only outcomes are asserted.
 */
const SBATCH = join(ROOT, 'examples', 'slurm', 'count.sbatch');
const t = tempDir('ks-engine-');
afterAll(t.cleanup);

// A state Slurm leaves a job in for good (until MinJobAge forgets it).
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED']);

function slurm(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
}

function state(job: string): string {
  try {
    return slurm('squeue', ['-h', '-t', 'all', '-j', job, '-o', '%T']);
  } catch {
    return ''; // forgotten by the controller, or it did not answer this once
  }
}

interface Submitted {
  job: string;
  dir: string;
  submittedAt: number;
  staging: string;
  records: () => any[];
  starts: () => string[];
  describe: () => string;
}

function submit(name: string, env: Record<string, string>): Submitted {
  const dir = join(t.dir, name);
  mkdirSync(dir);
  const staging = env.STAGING ?? `file://${join(dir, 'staging')}`;
  const vars: Record<string, string> = {
    KICKSTART: BIN,
    COUNT_PY,
    PYTHON,
    STAGING: staging,
    RECORDS: join(dir, 'records.yml'),
    COUNT_STARTS: join(dir, 'starts'),
    COUNT_STEP: '0.5',
    ...env,
  };
  const exp = ['ALL', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)].join(',');
  const submittedAt = Date.now();
  const job = slurm('sbatch', ['--parsable', `--chdir=${dir}`, `--output=${join(dir, 'slurm-%j.out')}`, `--export=${exp}`, SBATCH]).split(';')[0];
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
  const records = () => {
    try {
      return (parse(read('records.yml')) as any[]) ?? [];
    } catch {
      return []; // caught while kickstart appends a record
    }
  };
  return {
    job,
    dir,
    submittedAt,
    staging,
    records,
    starts: () => read('starts').split('\n').filter(Boolean),
    describe: () => {
      const output = read(`slurm-${job}.out`).split('\n').filter((l) => !l.startsWith('{')).join('\n');
      const seen = countAttempts(records()).map((a) => `${a.attempt}: ${a.outcome}, from ${a.from} to ${a.printed.at(-1) ?? a.from}`);
      return `job ${job} (${state(job) || 'gone'}); attempts recorded: ${seen.join('; ') || 'none'}; its output:\n${output}`;
    },
  };
}

async function waitFor(what: string, run: Submitted, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}: ${run.describe()}`);
    await sleep(200);
  }
}

/** Waits until the job has ended for good; requeues pass through states that look final for a moment. */
async function ended(run: Submitted, ms = 400_000): Promise<string> {
  let last = '';
  let seen = 0;
  await waitFor('the job to end', run, () => {
    const s = state(run.job);
    seen = s === last ? seen + 1 : 0;
    last = s;
    return ENDED.has(s) && seen >= 3;
  }, ms);
  return last;
}

function startedAttempts(run: Submitted): number[] {
  return run.starts().map((l) => Number(/attempt=(\d+)/.exec(l)?.[1]));
}

/** The newest generation published at a file:// staging site, and the count it holds. */
function latestShipped(run: Submitted): { generation: number; count: number } {
  const jobDir = join(run.staging.replace('file://', ''), `count-${run.job}`);
  const gens = readdirSync(jobDir)
    .map((f) => /^gen-(\d+)\.manifest\.json$/.exec(f)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number);
  const generation = Math.max(...gens);
  const count = Number(readFileSync(join(jobDir, `gen-${String(generation).padStart(6, '0')}`, 'count.checkpoint'), 'utf8'));
  return { generation, count };
}

/** Processes of this run still alive: found by the COUNT_STARTS their environment carries. */
function processesOf(run: Submitted): number[] {
  const marker = `COUNT_STARTS=${join(run.dir, 'starts')}`;
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${p}/environ`, 'latin1').split('\0').includes(marker)) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** One line an attempt, for the closing note: when it started after submission, how long it ran, how it ended. */
function timings(run: Submitted, endedAt: number): string {
  const lines = countAttempts(run.records()).map((a, i) => {
    const rec = run.records()[i];
    const at = (Date.parse(rec.start) - run.submittedAt) / 1000;
    return `  attempt ${a.attempt}: +${at.toFixed(1)} s, ${rec.duration.toFixed(1)} s, from ${a.from} to ${a.printed.at(-1) ?? a.from}, ${a.outcome} (${a.exitcode})`;
  });
  return `${lines.join('\n')}\n  submitted to COMPLETED: ${((endedAt - run.submittedAt) / 1000).toFixed(1)} s`;
}

/** The checks of every run: N reached, at least 2 attempts, none after the first from 0, each interrupted attempt ended as expected. */
function checkRun(run: Submitted, n: number, interrupted = { outcome: 'checkpointed', exitcode: 14 }): any[] {
  const records = run.records();
  const attempts = countAttempts(records);
  expect(attempts.length, run.describe()).toBeGreaterThanOrEqual(2);
  expect(resumeProblems(attempts, n), run.describe()).toEqual([]);
  expect(attempts.slice(0, -1).map((a) => ({ outcome: a.outcome, exitcode: a.exitcode })), run.describe()).toEqual(attempts.slice(0, -1).map(() => interrupted));
  expect([attempts.at(-1)!.outcome, attempts.at(-1)!.exitcode]).toEqual(['completed', 0]);
  // SLURM_RESTART_COUNT + 1 is the attempt, in the record and as the app saw it.
  for (const a of attempts) if (a.appAttempt) expect(a.appAttempt).toBe(String(a.attempt));
  return records;
}

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
