import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ks, PYTHON, sleep } from '../helpers/run.js';
import { isGone } from '../helpers/proc.js';
import { tempDir } from '../helpers/temp-dir.js';

const t = tempDir();
afterAll(t.cleanup);

/** Signals to kickstart are sent once its job runs (its handlers are in place by then), however loaded the machine. */
async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 600 && !existsSync(path); i++) await sleep(25);
  expect(existsSync(path), `${path} never appeared`).toBe(true);
}

function sent(record: any, signal: string): any[] {
  return record.kickstart.signals.filter((s: any) => s.signal === signal);
}

describe('checkpoint deadlines', () => {
  it('SIGTERM at the checkpoint time: the app writes its checkpoint atomically and exits; kickstart exits 14', async () => {
    const dir = join(t.dir, 'graceful');
    const r = await ks(['-W', dir, '--checkpoint-time', '1s', '--max-walltime', '5s', PYTHON, join(FIXTURES, 'graceful.py')]);
    expect(r.exitCode).toBe(14);
    expect(r.record.mainjob.status).toEqual({ raw: 0, regular_exitcode: 0 });
    expect(r.record.files.stdout.data).toMatch(/got SIGTERM at \d+/);
    const saved = Number(readFileSync(join(dir, 'count.checkpoint'), 'utf8'));
    expect(saved).toBeGreaterThan(5);
    expect(existsSync(join(dir, 'count.checkpoint.temp'))).toBe(false);
    const term = sent(r.record, 'SIGTERM');
    expect(term).toHaveLength(1);
    expect(term[0]).toMatchObject({ reason: 'checkpoint-time', processes: 1 });
    expect(term[0].at).toBeGreaterThanOrEqual(0.95);
    expect(term[0].at).toBeLessThan(1.5);
    expect(sent(r.record, 'SIGKILL')).toHaveLength(0);
    expect(r.record.kickstart.deadline).toMatchObject({ checkpoint_time: 1, kill_time: 3, fired: true });
    expect(r.record.kickstart.outcome).toBe('checkpointed');
  });

  it('--checkpoint-exit-code 85 replaces 14 (HTCondor)', async () => {
    const r = await ks(['-W', join(t.dir, 'c85'), '--checkpoint-time', '0.5s', '--max-walltime', '3s', '--checkpoint-exit-code', '85', PYTHON, join(FIXTURES, 'graceful.py')]);
    expect(r.exitCode).toBe(85);
  });

  it('an app that ignores SIGTERM is killed halfway to the max walltime, signalled 9', async () => {
    const r = await ks(['--checkpoint-time', '1s', '--max-walltime', '3s', 'sh', '-c', 'trap "" TERM; sleep 30']);
    expect(r.exitCode).toBe(14);
    expect(r.record.mainjob.status.signalled_signal).toBe(9);
    expect(r.record.mainjob.status.singalled_name).toBe('Killed');
    const kill = sent(r.record, 'SIGKILL');
    expect(kill.length).toBeGreaterThanOrEqual(1);
    expect(kill[0].reason).toBe('kill-time');
    // sh and its sleep: the whole group.
    expect(kill[0].processes).toBe(2);
    expect(kill[0].at).toBeGreaterThanOrEqual(1.95);
    expect(kill[0].at).toBeLessThan(2.6);
    expect(r.record.mainjob.duration).toBeLessThan(3);
  });

  it('a setsid double-forked grandchild ignoring TERM does not outlive kickstart', async () => {
    const pidfile = join(t.dir, 'grandchild.pid');
    const r = await ks(['-k', '1', '-K', '1', PYTHON, join(FIXTURES, 'escape.py'), pidfile, 'stay']);
    expect(r.exitCode).toBe(14);
    const pid = Number(readFileSync(pidfile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    expect(isGone(pid)).toBe(true);
    const kill = sent(r.record, 'SIGKILL');
    expect(kill[0].processes).toBe(2);
  });

  it('descendants left running after a normal exit are ended and listed', async () => {
    const pidfile = join(t.dir, 'linger.pid');
    const r = await ks(['--linger-grace', '0.5s', PYTHON, join(FIXTURES, 'escape.py'), pidfile, 'exit']);
    expect(r.exitCode).toBe(0);
    const pid = Number(readFileSync(pidfile, 'utf8'));
    expect(isGone(pid)).toBe(true);
    expect(r.record.kickstart.lingering).toEqual([{ pid, command: expect.stringContaining('escape.py') }]);
    expect(sent(r.record, 'SIGTERM')[0].reason).toBe('linger');
    expect(sent(r.record, 'SIGKILL')[0].reason).toBe('linger');
  });

  it('-k/-K: SIGTERM after k seconds, SIGKILL K seconds later (pegasus-kickstart)', async () => {
    const r = await ks(['-k', '1', '-K', '1', 'sh', '-c', 'trap "" TERM; sleep 30']);
    expect(r.exitCode).toBe(14);
    expect(sent(r.record, 'SIGTERM')[0].at).toBeGreaterThanOrEqual(0.95);
    expect(sent(r.record, 'SIGKILL')[0].at).toBeGreaterThanOrEqual(1.95);
    const plain = await ks(['-k', '1', 'sleep', '30']);
    expect(plain.exitCode).toBe(14);
    expect(plain.record.mainjob.status.signalled_signal).toBe(15);
  });

  it('the clock starts before setup; once fired, later stages are skipped but cleanup runs', async () => {
    const r = await ks(['-k', '0.5', 'echo', 'main'], {
      env: { KICKSTART_SETUP: 'sleep 5', KICKSTART_CLEANUP: 'echo cleanup' },
    });
    // Not a checkpoint (14): the deadline never reached a main job (issue #12, bug A).
    expect(r.exitCode).toBe(143);
    expect(r.record.kickstart.outcome).toBe('killed');
    expect(r.record.setup.status.signalled_signal).toBe(15);
    expect(r.record.mainjob).toBeUndefined();
    expect(r.record.cleanup.status.regular_exitcode).toBe(0);
    expect(r.record.files.stdout.data).toBe('cleanup\n');
  });

  it('a bare number means minutes; KICKSTART_CHECKPOINT_TIME and KICKSTART_MAX_WALLTIME work', async () => {
    const r = await ks(['sh', '-c', 'trap "" TERM; sleep 30'], {
      env: { KICKSTART_CHECKPOINT_TIME: '0.01', KICKSTART_MAX_WALLTIME: '0.03' },
    });
    expect(r.exitCode).toBe(14);
    expect(r.record.kickstart.deadline).toMatchObject({ checkpoint_time: 0.6, kill_time: 1.2 });
  });

  it('kickstart sent SIGTERM from outside: forwarded, the app checkpoints, the record is written, exit 143', async () => {
    const dir = join(t.dir, 'outside');
    const child = execa(process.execPath, [BIN, '-W', dir, PYTHON, join(FIXTURES, 'graceful.py')], { reject: false });
    const ready = join(dir, 'ready');
    for (let i = 0; i < 200 && !existsSync(ready); i++) await sleep(25);
    expect(existsSync(ready)).toBe(true);
    const appPid = Number(readFileSync(ready, 'utf8'));
    child.kill('SIGTERM');
    const res = await child;
    expect(res.exitCode).toBe(143);
    const rec = (parse(String(res.stdout)) as any[])[0];
    expect(rec.files.stdout.data).toMatch(/got SIGTERM/);
    expect(rec.kickstart.outcome).toBe('killed');
    expect(sent(rec, 'SIGTERM')[0]).toMatchObject({ reason: 'forwarded', processes: 1 });
    expect(isGone(appPid)).toBe(true);
    expect(existsSync(join(dir, 'count.checkpoint'))).toBe(true);
  });

  it('a TERM-ignoring app under an outside SIGTERM is killed after the grace', async () => {
    const ready = join(t.dir, 'ignore-ready');
    const child = execa(process.execPath, [BIN, '-k', '60', '-K', '1', 'sh', '-c', 'trap "" TERM; echo $$ > "$0"; sleep 30', ready], { reject: false });
    await waitForFile(ready);
    child.kill('SIGTERM');
    const res = await child;
    expect(res.exitCode).toBe(143);
    const rec = (parse(String(res.stdout)) as any[])[0];
    expect(rec.mainjob.status.signalled_signal).toBe(9);
    expect(sent(rec, 'SIGKILL')[0].reason).toBe('shutdown');
  });

  it('USR1 and QUIT are forwarded without stopping the job', async () => {
    const ready = join(t.dir, 'usr1-ready');
    // The USR1 trap leaves a file: QUIT is sent only once the job has handled USR1 (on a loaded
    // machine both could otherwise be pending together, and sh runs traps in signal-number order).
    const child = execa(process.execPath, [BIN, 'sh', '-c', 'trap "echo usr1; : > \\"$0.usr1\\"" USR1; trap "echo quit" QUIT; echo $$ > "$0"; i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done', ready], { reject: false });
    await waitForFile(ready);
    child.kill('SIGUSR1');
    await waitForFile(`${ready}.usr1`);
    child.kill('SIGQUIT');
    const res = await child;
    expect(res.exitCode).toBe(0);
    const rec = (parse(String(res.stdout)) as any[])[0];
    expect(rec.files.stdout.data).toBe('usr1\nquit\n');
    expect(rec.kickstart.signals.map((s: any) => s.signal)).toEqual(['SIGUSR1', 'SIGQUIT']);
  });
});
