import { execa } from 'execa';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { COUNT_PY, PYTHON, countAttempts, resumeProblems } from '../helpers/count.js';
import { BIN, ks, sleep } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';
import { stagedFile } from '../helpers/staged.js';

const t = tempDir();
afterAll(t.cleanup);

const N = 8;
// A step of 0.5 s: a 1.5 s checkpoint time leaves room for about 3 numbers an attempt.
const countEnv = (extra: Record<string, string> = {}) => ({ COUNT_N: String(N), COUNT_STEP: '0.5', ...extra });
// Each attempt starts in an empty directory, as on a fresh node: the cleanup
// job removes the local checkpoint after stage-out, so only the staging site
// can carry the count from one attempt to the next.
const freshNode = { KICKSTART_CLEANUP: 'rm -f count.checkpoint' };

function staged(dir: string, n: number, extra: string[] = []): string[] {
  return [
    '-W', join(dir, 'work'), '-l', join(dir, 'records.yml'),
    '--checkpoint', 'count.checkpoint', '--staging', `file://${join(dir, 'staging')}`, '--job-id', 'count',
    '--retries', String(n), ...extra,
  ];
}

/** count.py under --retries with the given checkpoint time and max walltime: it must finish, resuming each time. */
async function countToCompletion(dir: string, [checkpointTime, maxWalltime]: [string, string], env: Record<string, string>) {
  const r = await ks([...staged(dir, 12), '--checkpoint-time', checkpointTime, '--max-walltime', maxWalltime, '--', PYTHON, COUNT_PY], {
    env: { ...env, ...freshNode },
    recordFile: join(dir, 'records.yml'),
    timeout: 120_000,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  const attempts = countAttempts(r.records);
  expect(attempts.length).toBeGreaterThanOrEqual(2);
  expect(resumeProblems(attempts, N)).toEqual([]);
  return { r, attempts };
}

describe('restarts to completion (the seed scenario, scaled to seconds)', () => {
  it('--retries: every attempt resumes from the shipped checkpoint until count.py finishes', async () => {
    const dir = join(t.dir, 'graceful');
    const { r, attempts } = await countToCompletion(dir, ['1.5s', '4s'], countEnv());
    // One complete record per attempt, numbered, with KICKSTART_ATTEMPT as the app saw it.
    expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, i) => i + 1));
    for (const [i, a] of attempts.entries()) if (a.appAttempt) expect(a.appAttempt).toBe(String(i + 1));
    for (const [i, rec] of r.records.entries()) {
      expect(rec.invocation).toBe(true);
      if (attempts[i].appAttempt) expect(rec.mainjob.status.regular_exitcode).toBe(0);
    }
    expect(attempts.slice(0, -1).map((a) => [a.outcome, a.exitcode])).toEqual(attempts.slice(0, -1).map(() => ['checkpointed', 14]));
    expect([attempts.at(-1)!.outcome, attempts.at(-1)!.exitcode]).toEqual(['completed', 0]);
    // A checkpointed attempt shipped progress: the next one follows at once, no backoff.
    for (const [i, rec] of r.records.slice(0, -1).entries()) expect(rec.kickstart.retry).toEqual({ next_attempt: i + 2, delay: 0 });
    // Each attempt restores the generation the one before published.
    const gens = r.records.map((rec: any) => [rec.kickstart.stage_in.generation, rec.kickstart.stage_out.generation]);
    expect(gens[0][0]).toBeUndefined();
    for (let i = 1; i < gens.length; i++) expect(gens[i][0]).toBe(gens[i - 1][1]);
    // The cleanup job ran after stage-out: the count lives only at the staging site.
    expect(existsSync(join(dir, 'work', 'count.checkpoint'))).toBe(false);
    const last = r.records.at(-1).kickstart.stage_out;
    expect(Number(stagedFile(join(dir, 'staging', 'count'), last.generation!).toString('utf8'))).toBe(N);
  });

  it("the tutorial's own count.py ignores SIGTERM: SIGKILL at the kill time, and the last whole step's checkpoint carries on", async () => {
    const dir = join(t.dir, 'seed');
    const { r, attempts } = await countToCompletion(dir, ['1s', '3s'], countEnv({ COUNT_ON_TERM: 'continue' }));
    // (An attempt whose python had not started when the deadline fired says
    // nothing; one that reached N between the TERM and the KILL ends on its own.)
    for (const rec of r.records.slice(0, -1).filter((x: any) => x.files.stdout.data)) {
      expect(rec.kickstart.outcome).toBe('checkpointed');
      if (/^done$/m.test(rec.files.stdout.data)) continue;
      expect(rec.files.stdout.data).toContain('got SIGTERM');
      expect(rec.mainjob.status.signalled_signal).toBe(9);
      expect(rec.kickstart.signals.map((s: any) => s.reason)).toEqual(['checkpoint-time', 'kill-time']);
    }
  });

  it('a job that keeps failing is run 1 + N times, each attempt with its own record and outcome, then its own exit code', async () => {
    const dir = join(t.dir, 'failing');
    mkdirSync(dir);
    const rec = join(dir, 'records.yml');
    const r = await ks(['-l', rec, '--retries', '2', '--retry-delay', '0.2s', '--', 'sh', '-c', 'echo "try $KICKSTART_ATTEMPT"; exit 3'], { recordFile: rec });
    expect(r.exitCode).toBe(3);
    expect(r.records.map((x: any) => [x.kickstart.attempt, x.kickstart.outcome, x.kickstart.exitcode, x.files.stdout.data])).toEqual([
      [1, 'failed', 3, 'try 1\n'],
      [2, 'failed', 3, 'try 2\n'],
      [3, 'failed', 3, 'try 3\n'],
    ]);
    // --retry-delay separates the attempts; failures without progress double it (#18 item 5).
    const starts = r.records.map((x: any) => Date.parse(x.start));
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(200 * 2 ** (i - 1));
    expect(r.records.map((x: any) => x.kickstart.retry)).toEqual([
      { next_attempt: 2, delay: 0.2, failed_in_a_row: 1 },
      { next_attempt: 3, delay: 0.4, failed_in_a_row: 2, backoff: true },
      undefined,
    ]);
    expect(r.stderr).toMatch(/attempt 2 failed without new progress \(2 in a row\): backing off, next attempt in 0\.4 s/);
  });

  it('without --retry-delay a failing job backs off from 1 s; one that cannot start ends the loop at once', async () => {
    const dir = join(t.dir, 'backoff');
    mkdirSync(dir);
    const rec = join(dir, 'records.yml');
    const r = await ks(['-l', rec, '--retries', '2', '--', 'sh', '-c', 'exit 5'], { recordFile: rec });
    expect(r.exitCode).toBe(5);
    expect(r.records.map((x: any) => x.kickstart.retry?.delay)).toEqual([1, 2, undefined]);
    const starts = r.records.map((x: any) => Date.parse(x.start));
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(1000);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(2000);

    const missing = join(dir, 'missing.yml');
    const m = await ks(['-l', missing, '--retries', '5', '--', join(dir, 'no-such-program')], { recordFile: missing });
    expect(m.exitCode).toBe(127);
    expect(m.records).toHaveLength(1);
    expect(m.record.kickstart.retry).toBeUndefined();
    const input = join(dir, 'input.yml');
    const i = await ks(['-l', input, '--retries', '5', '-i', join(dir, 'no-such-input'), '--', 'cat'], { recordFile: input });
    expect(i.records).toHaveLength(1);
    expect(i.record.kickstart.retry).toBeUndefined();
  }, 60_000);

  it('a stop from outside (SIGTERM to kickstart) ends the retries: outcome killed, exit 128+15', async () => {
    const dir = join(t.dir, 'stopped');
    mkdirSync(dir);
    const rec = join(dir, 'records.yml');
    const started = join(dir, 'started');
    const child = execa(process.execPath, [BIN, '-l', rec, '--retries', '5', '--', 'sh', '-c', `touch ${started}; sleep 30`], { reject: false, stdin: 'ignore' });
    // Once the job runs, kickstart listens for signals.
    for (let i = 0; i < 600 && !existsSync(started); i++) await sleep(50);
    child.kill('SIGTERM');
    const res = await child;
    expect(res.exitCode).toBe(143);
    const records = parse(readFileSync(rec, 'utf8')) as any[];
    expect(records).toHaveLength(1);
    expect(records[0].kickstart.outcome).toBe('killed');
    expect(records[0].kickstart.exitcode).toBe(143);
  });
});

describe("HTCondor's exit-code contract (--checkpoint-exit-code 85)", () => {
  it('85 while a deadline fires and the checkpoint is kept, 0 once the count is done; HTCondor restarts on 85', async () => {
    // HTCondor's side, played by the test: on exit 85 it keeps
    // transfer_checkpoint_files (count.checkpoint) and starts the job again in
    // a new sandbox with them in place; any other code ends the job.
    const submit = join(t.dir, 'condor-submit');
    mkdirSync(submit);
    const codes: number[] = [];
    const records: any[] = [];
    for (let run = 1; run <= 12; run++) {
      const sandbox = join(t.dir, `condor-sandbox-${run}`);
      mkdirSync(sandbox);
      if (existsSync(join(submit, 'count.checkpoint'))) copyFileSync(join(submit, 'count.checkpoint'), join(sandbox, 'count.checkpoint'));
      const r = await ks(['--attempt', String(run), '--checkpoint-time', '1.5s', '--max-walltime', '4s', '--checkpoint-exit-code', '85', '--', PYTHON, COUNT_PY], {
        cwd: sandbox,
        env: countEnv(),
      });
      codes.push(r.exitCode);
      records.push(r.record);
      if (r.exitCode !== 85) break;
      if (existsSync(join(sandbox, 'count.checkpoint'))) copyFileSync(join(sandbox, 'count.checkpoint'), join(submit, 'count.checkpoint'));
      rmSync(sandbox, { recursive: true });
    }
    expect(codes.length).toBeGreaterThanOrEqual(2);
    expect(codes).toEqual([...codes.slice(0, -1).map(() => 85), 0]);
    expect(resumeProblems(countAttempts(records), N)).toEqual([]);
    for (const [i, a] of countAttempts(records).entries()) if (a.appAttempt) expect(a.appAttempt).toBe(String(i + 1));
  });

  it('every other way an attempt ends has its own code, never 85 or 0', async () => {
    const dir = join(t.dir, 'condor-failures');
    mkdirSync(dir);
    const c85 = ['--checkpoint-exit-code', '85'];
    const staging = (name: string) => ['--checkpoint', 'count.checkpoint', '--staging', `file://${join(dir, name)}`, '--job-id', 'count', '--transfer-retries', '0'];
    const outcome = async (args: string[], env: Record<string, string> = countEnv()) => {
      const r = await ks([...c85, ...args], { env });
      return [r.exitCode, r.record?.kickstart?.outcome];
    };

    // The app's own error: its own code.
    expect(await outcome(['-W', join(dir, 'app'), '--', PYTHON, COUNT_PY], countEnv({ COUNT_N: 'not-a-number' }))).toEqual([1, 'failed']);

    // Stage-in fails (the job's folder at the staging site is a file): 20, and the app never runs.
    writeFileSync(join(dir, 'site-in'), 'not a folder');
    const stageIn = await ks([...c85, '-W', join(dir, 'in'), ...staging('site-in'), '--', PYTHON, COUNT_PY], { env: countEnv() });
    expect([stageIn.exitCode, stageIn.record.kickstart.outcome]).toEqual([20, 'stage-in-failed']);
    expect(stageIn.record.mainjob).toBeUndefined();

    // Stage-out fails after the deadline fired (the staging site turns into a file
    // while the job runs): 21, not 85, since the checkpoint was not shipped.
    const site = join(dir, 'site-out');
    const job = ks([...c85, '-W', join(dir, 'out'), ...staging('site-out'), '--checkpoint-time', '3s', '--max-walltime', '6s', '--', PYTHON, COUNT_PY], { env: countEnv() });
    for (let i = 0; i < 400 && !existsSync(join(dir, 'out', 'count.checkpoint')); i++) await sleep(50);
    // (The attempt's start marker made the folder.)
    rmSync(site, { recursive: true, force: true });
    writeFileSync(site, 'not a folder');
    const stageOut = await job;
    expect([stageOut.exitCode, stageOut.record.kickstart.outcome]).toEqual([21, 'stage-out-failed']);
    expect(stageOut.record.kickstart.deadline.fired).toBe(true);

    // Killed by a signal from outside (not kickstart's deadline): 128+9.
    expect(await outcome(['--', 'sh', '-c', 'kill -KILL $$'])).toEqual([137, 'killed']);

    // A usage error: 127 and one line, nothing run.
    const usage = await ks([...c85, '--retries', 'many', 'true']);
    expect(usage.exitCode).toBe(127);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
  });
});
