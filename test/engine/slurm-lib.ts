import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expect } from 'vitest';
import { COUNT_PY, PYTHON, countAttempts, resumeProblems } from '../helpers/count.js';
import { BIN, ROOT, sleep } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';
import { stagedFile } from '../helpers/staged.js';
import { allPids, procFile } from '../helpers/proc.js';

/*
 * What the engine tests share: submitting examples/slurm/count.sbatch to the
 * single-node cluster of global-setup.ts, waiting for it, reading its records.
 */
const SBATCH = join(ROOT, 'examples', 'slurm', 'count.sbatch');
export const t = tempDir('ks-engine-');

// A state Slurm leaves a job in for good (until MinJobAge forgets it).
export const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED']);

export function slurm(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
}

export function state(job: string): string {
  try {
    return slurm('squeue', ['-h', '-t', 'all', '-j', job, '-o', '%T']);
  } catch {
    return ''; // forgotten by the controller, or it did not answer this once
  }
}

export interface Submitted {
  job: string;
  dir: string;
  submittedAt: number;
  staging: string;
  records: () => any[];
  starts: () => string[];
  describe: () => string;
}

export function submit(name: string, env: Record<string, string>, sbatchArgs: string[] = []): Submitted {
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
  const job = slurm('sbatch', ['--parsable', ...sbatchArgs, `--chdir=${dir}`, `--output=${join(dir, 'slurm-%j.out')}`, `--export=${exp}`, SBATCH]).split(';')[0];
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

export async function waitFor(what: string, run: Submitted, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}: ${run.describe()}`);
    await sleep(200);
  }
}

/** Waits until the job has ended for good; requeues pass through states that look final for a moment. */
export async function ended(run: Submitted, ms = 400_000): Promise<string> {
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

export function startedAttempts(run: Submitted): number[] {
  return run.starts().map((l) => Number(/attempt=(\d+)/.exec(l)?.[1]));
}

/** The newest generation published at a file:// staging site, and the count it holds. */
export function latestShipped(run: Submitted): { generation: number; count: number } {
  const jobDir = join(run.staging.replace('file://', ''), `count-${run.job}`);
  const gens = readdirSync(jobDir)
    .map((f) => /^gen-(\d+)\.manifest\.json$/.exec(f)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number);
  const generation = Math.max(...gens);
  const count = Number(stagedFile(jobDir, generation).toString('utf8'));
  return { generation, count };
}

/** Processes of this run still alive: found by the COUNT_STARTS their environment carries. */
export function processesOf(run: Submitted): number[] {
  const marker = `COUNT_STARTS=${join(run.dir, 'starts')}`;
  return allPids().filter((p) => procFile(p, 'environ').split('\0').includes(marker));
}

/** One line an attempt, for the closing note: when it started after submission, how long it ran, how it ended. */
export function timings(run: Submitted, endedAt: number): string {
  const lines = countAttempts(run.records()).map((a, i) => {
    const rec = run.records()[i];
    const at = (Date.parse(rec.start) - run.submittedAt) / 1000;
    return `  attempt ${a.attempt}: +${at.toFixed(1)} s, ${rec.duration.toFixed(1)} s, from ${a.from} to ${a.printed.at(-1) ?? a.from}, ${a.outcome} (${a.exitcode})`;
  });
  return `${lines.join('\n')}\n  submitted to COMPLETED: ${((endedAt - run.submittedAt) / 1000).toFixed(1)} s`;
}

/** The checks of every run: N reached, at least 2 attempts, none after the first from 0, each interrupted attempt ended as expected. */
export function checkRun(run: Submitted, n: number, interrupted = { outcome: 'checkpointed', exitcode: 14 }): any[] {
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

