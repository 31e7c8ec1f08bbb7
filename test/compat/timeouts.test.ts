import { describe, expect, it } from 'vitest';
import { PYTHON } from '../helpers/run.js';
import { kickstart, useSuiteDir } from './suite.js';

// test.sh: test_timeout_* (9 cases). They mostly sleep, so they run side by side.
const dir = useSuiteDir();

describe.concurrent('pegasus-kickstart test.sh: -k/-K deadlines and side jobs', () => {
  it('test_timeout_ok: a job that ends before -k', async () => {
    const r = await kickstart(['-k', '5', '/bin/sleep', '1'], { cwd: dir() });
    expect(r.exitCode).toBe(0);
  });

  it('test_timeout_fail: -k 2 on a 3 s job sends SIGTERM', async () => {
    const r = await kickstart(['-k', '2', '/bin/sleep', '3'], { cwd: dir() });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('sending SIGTERM');
    expect(r.record.mainjob.status.signalled_signal).toBe(15);
  });

  it('test_timeout_kill: a job that ignores SIGTERM gets SIGKILL -K later', async () => {
    const r = await kickstart(['-k', '5', '-K', '5', PYTHON, 'ignore-term.py', '30'], { cwd: dir() });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('sending SIGTERM');
    expect(r.stderr).toContain('sending SIGKILL');
    expect(r.record.mainjob.status.signalled_signal).toBe(9);
  });

  it('test_timeout_nokill: one that ends before the SIGKILL gets none', async () => {
    const r = await kickstart(['-k', '1', '-K', '30', PYTHON, 'ignore-term.py', '10'], { cwd: dir() });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('sending SIGTERM');
    expect(r.stderr).not.toContain('sending SIGKILL');
  });

  it('test_timeout_mainjob_cleanup: the cleanup job runs after a timed-out main job', async () => {
    const r = await kickstart(['-k', '1', '/bin/sleep', '5'], { cwd: dir(), env: { KICKSTART_CLEANUP: '/bin/echo Cleanup job' } });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('sending SIGTERM');
    expect(r.stdout).toContain('  cleanup:');
  });

  it('test_timeout_pre: a prejob that times out keeps the main job from running', async () => {
    const r = await kickstart(['-k', '1', '/bin/echo', 'Main', 'job'], { cwd: dir(), env: { KICKSTART_PREJOB: '/bin/sleep 5' } });
    // pegasus-kickstart exits 14 (SIGALRM); only a deadline that reached the main job is a checkpoint here (README).
    expect(r.exitCode).toBe(143);
    expect(r.stderr).toContain('sending SIGTERM');
    expect(r.stdout).not.toContain('  mainjob:');
  });

  it('test_timeout_post: the deadline reaches the postjob', async () => {
    const r = await kickstart(['-k', '1', '/bin/echo', 'Main', 'job'], { cwd: dir(), env: { KICKSTART_POSTJOB: '/bin/sleep 5' } });
    // pegasus-kickstart exits 14 (SIGALRM); only a deadline that reached the main job is a checkpoint here (README).
    expect(r.exitCode).toBe(143);
    expect(r.stderr).toContain('sending SIGTERM');
    expect(r.stdout).toContain('  mainjob:');
  });

  it('test_timeout_cleanup: the deadline spares the cleanup job (exit 0)', async () => {
    const r = await kickstart(['-k', '1', '/bin/echo', 'Main', 'job'], { cwd: dir(), env: { KICKSTART_CLEANUP: '/bin/sleep 5' } });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toContain('sending SIGTERM');
    expect(r.stdout).toContain('  mainjob:');
    expect(r.record.cleanup.status.regular_exitcode).toBe(0);
  });

  it('test_timeout_setup: a setup job that times out keeps prejob and main job from running', async () => {
    const env = { KICKSTART_SETUP: '/bin/sleep 5', KICKSTART_PREJOB: '/bin/echo Pre job' };
    const r = await kickstart(['-k', '1', '/bin/echo', 'Main', 'job'], { cwd: dir(), env });
    // pegasus-kickstart exits 14 (SIGALRM); only a deadline that reached the main job is a checkpoint here (README).
    expect(r.exitCode).toBe(143);
    expect(r.stderr).toContain('sending SIGTERM');
    // test.sh greps for ">Pre job" (an XML record's text); the record's own blocks say it plainly.
    expect(r.stdout).not.toContain('>Pre job');
    expect(r.stdout).not.toContain('>Main job');
    expect(r.record.prejob).toBeUndefined();
    expect(r.record.mainjob).toBeUndefined();
    expect(r.record.files.stdout.data).toBeUndefined();
  });
});
