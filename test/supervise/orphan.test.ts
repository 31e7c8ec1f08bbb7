import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, sleep } from '../helpers/run.js';
import { isGone } from '../helpers/proc.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * kill -9 of kickstart alone (not of its whole tree: the OOM killer, a user's
 * kill -9, a crash) must not leave the job running unsupervised, with no
 * deadline and nothing shipped, beside the attempt that replaces it. Seen
 * with GROMACS: mdrun ran on to its end after kickstart was gone. ks-exec
 * now notices kickstart's end (the report pipe loses its reader) and sends
 * the job SIGTERM, so an app that checkpoints on TERM still does (GROMACS
 * did), then SIGKILL to its group 5 s later.
 */

const t = tempDir('ks-orphan-');
afterAll(t.cleanup);

async function waitFor(what: () => boolean, ms: number): Promise<boolean> {
  const until = performance.now() + ms;
  while (!what()) {
    if (performance.now() > until) return false;
    await sleep(25);
  }
  return true;
}

const alive = (pid: number) => !isGone(pid);

describe('a job whose kickstart is SIGKILLed', () => {
  it('gets SIGTERM at once and may save its state', async () => {
    const dir = join(t.dir, 'term');
    const job = 'trap "echo saved > checkpoint; exit 0" TERM; echo $$ > ready; while :; do sleep 0.1; done';
    const kick = execa(process.execPath, [BIN, '-W', dir, '--', 'sh', '-c', job], { reject: false });
    const ready = join(dir, 'ready');
    expect(await waitFor(() => existsSync(ready) && readFileSync(ready, 'utf8').endsWith('\n'), 20_000), 'the job never started').toBe(true);
    const pid = Number(readFileSync(ready, 'utf8'));
    kick.kill('SIGKILL');
    await kick;
    const gone = await waitFor(() => !alive(pid), 4000);
    if (!gone) process.kill(-pid, 'SIGKILL');
    expect(gone, 'the job outlived kickstart').toBe(true);
    expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe('saved\n');
  });

  it('that ignores TERM is SIGKILLed, with its process group, after a grace', async () => {
    const dir = join(t.dir, 'kill');
    // sh and its sleep: the whole group goes.
    const job = 'trap "" TERM; echo $$ > ready; sleep 60 & echo $! > child; wait; wait';
    const kick = execa(process.execPath, [BIN, '-W', dir, '--', 'sh', '-c', job], { reject: false });
    const ready = join(dir, 'ready');
    const child = join(dir, 'child');
    expect(await waitFor(() => existsSync(child) && readFileSync(child, 'utf8').endsWith('\n'), 20_000), 'the job never started').toBe(true);
    const pid = Number(readFileSync(ready, 'utf8'));
    const sleeper = Number(readFileSync(child, 'utf8'));
    kick.kill('SIGKILL');
    await kick;
    const killedAt = performance.now();
    await sleep(1000);
    // The grace is respected: TERM was ignored, KILL has not come yet.
    const during = alive(pid);
    const gone = await waitFor(() => !alive(pid) && !alive(sleeper), 15_000);
    const after = (performance.now() - killedAt) / 1000;
    if (!gone) for (const p of [pid, sleeper]) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    expect(during, 'SIGKILL came before the grace').toBe(true);
    expect(gone, 'the job or its child outlived kickstart').toBe(true);
    expect(after).toBeGreaterThanOrEqual(4.5);
  }, 30_000);
});
