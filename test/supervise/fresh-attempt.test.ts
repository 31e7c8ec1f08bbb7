import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crash } from '../helpers/crash.js';
import { ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

const t = tempDir('ks-fresh-attempt-');
afterAll(t.cleanup);

/** Not under a requeued Slurm job, whatever runs the tests. */
const NO_SLURM = { SLURM_RESTART_COUNT: undefined };
const SAY = ['--', 'sh', '-c', 'echo "attempt $KICKSTART_ATTEMPT"'];
const said = (r: { record: any }) => r.record.files.stdout.data;

describe("a fresh kickstart's first attempt, without --attempt", () => {
  it('after a kill -9 that left a start marker beside -l: attempt 2, whose record says attempt 1 never finished', async () => {
    const dir = join(t.dir, 'file');
    mkdirSync(dir);
    const rec = join(dir, 'records.yml');
    await crash(dir, ['-l', rec]);
    expect(readdirSync(dir).filter((f) => f.includes('.attempt-1-'))).toHaveLength(1);

    const next = await ks(['-l', rec, ...SAY], { recordFile: rec, env: NO_SLURM });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.record.kickstart).toMatchObject({ attempt: 2, attempt_from: 'start-marker', outcome: 'completed' });
    expect(next.record.kickstart.unfinished).toEqual([expect.objectContaining({ attempt: 1, message: expect.stringMatching(/^attempt 1 started at .* and never finished$/) })]);
    expect(said(next)).toBe('attempt 2\n');
    // Its record removed the marker it reported.
    expect(readdirSync(dir).filter((f) => f.includes('.attempt-'))).toEqual([]);
  });

  it('with file:// staging whose newest manifest says attempt 3: attempt 4, which its own manifest says too', async () => {
    const dir = join(t.dir, 'site');
    const seed = join(dir, 'seed');
    mkdirSync(seed, { recursive: true });
    writeFileSync(join(seed, 'c.ckpt'), 'from attempt 3');
    const staging = `file://${join(dir, 'staging')}`;
    const site = ['--checkpoint', 'c.ckpt', '--staging', staging, '--job-id', 'fa'];
    const out = await ks(['transfer', '--out', ...site, '--attempt', '3', '--workdir', seed, '--no-progress']);
    expect(out.exitCode, out.stderr).toBe(0);

    const rec = join(dir, 'records.yml');
    const next = await ks(['-l', rec, '-W', join(dir, 'work'), ...site, '--', 'sh', '-c', 'echo "attempt $KICKSTART_ATTEMPT"; cat c.ckpt; echo " then $KICKSTART_ATTEMPT" >> c.ckpt'], {
      recordFile: rec,
      env: NO_SLURM,
    });
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.record.kickstart).toMatchObject({ attempt: 4, attempt_from: 'manifest' });
    expect(next.record.kickstart.stage_in).toMatchObject({ result: 'ok', generation: 1 });
    expect(said(next)).toBe('attempt 4\nfrom attempt 3');
    expect(next.record.kickstart.stage_out).toMatchObject({ result: 'ok', generation: 2 });
    const manifest = JSON.parse(readFileSync(join(dir, 'staging', 'fa', 'gen-000002.manifest.json'), 'utf8'));
    expect(manifest.attempt).toBe(4);

    // The highest of SLURM_RESTART_COUNT + 1 and the traces (0 is none: a new allocation); --attempt before everything.
    const requeued = await ks(['-l', rec, '-W', join(dir, 'work'), ...site, ...SAY], { recordFile: rec, env: { SLURM_RESTART_COUNT: '7' } });
    expect(requeued.record.kickstart).toMatchObject({ attempt: 8, attempt_from: 'SLURM_RESTART_COUNT' });
    expect(said(requeued)).toBe('attempt 8\n');
    const behind = await ks(['-l', rec, '-W', join(dir, 'work'), ...site, ...SAY], { recordFile: rec, env: { SLURM_RESTART_COUNT: '1' } });
    expect(behind.record.kickstart).toMatchObject({ attempt: 5, attempt_from: 'manifest' });
    const fresh = await ks(['-l', rec, '-W', join(dir, 'work'), ...site, ...SAY], { recordFile: rec, env: { SLURM_RESTART_COUNT: '0' } });
    expect(fresh.record.kickstart).toMatchObject({ attempt: 5, attempt_from: 'manifest' });
    const given = await ks(['-l', rec, '-W', join(dir, 'work'), ...site, '--attempt', '9', ...SAY], { recordFile: rec, env: { SLURM_RESTART_COUNT: '1' } });
    expect(given.record.kickstart).toMatchObject({ attempt: 9, attempt_from: '--attempt' });
  });

  it('counts its --retries up from there', async () => {
    const dir = join(t.dir, 'retries');
    mkdirSync(dir);
    const rec = join(dir, 'records.yml');
    await crash(dir, ['-l', rec]);
    const r = await ks(['-l', rec, '--retries', '2', '--retry-delay', '50ms', '--', 'sh', '-c', 'test "$KICKSTART_ATTEMPT" -ge 4 || exit 3'], { recordFile: rec, env: NO_SLURM });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.records.map((x: any) => [x.kickstart.attempt, x.kickstart.attempt_from, x.kickstart.outcome])).toEqual([
      [2, 'start-marker', 'failed'],
      [3, 'retry', 'failed'],
      [4, 'retry', 'completed'],
    ]);
    expect(r.records[0].kickstart.retry).toMatchObject({ next_attempt: 3 });
  });
});
