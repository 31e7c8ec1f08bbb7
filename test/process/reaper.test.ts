import { closeSync, openSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../src/native/addon.js';
import { nodeChild, Reaper } from '../../src/process/reaper.js';

const ENV = [`PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, 'LC_ALL=C'];
const NULL_FD = openSync('/dev/null', 'r+');
afterAll(() => closeSync(NULL_FD));

describe("the reaper's wait4(-1) loop and children Node spawns", () => {
  it('leaves a marked Node child to libuv (its exit is seen), and still reaps its own', { timeout: 15_000 }, async () => {
    const reaper = new Reaper('all');
    const pid = native().spawn('/bin/sleep', ['sleep', '1'], ENV, null, [NULL_FD, NULL_FD, NULL_FD]);
    expect(pid).toBeGreaterThan(0);
    const own = reaper.exited(pid);
    // The loop is blocked waiting while this child comes and goes.
    const sub = execa('sh', ['-c', 'echo looked-up'], { reject: false, timeout: 5_000 });
    const mark = nodeChild(sub.pid!);
    const t0 = Date.now();
    const r = await sub;
    mark.unmark();
    expect([r.exitCode, r.stdout, r.timedOut]).toEqual([0, 'looked-up', false]);
    expect(Date.now() - t0).toBeLessThan(2_000);
    const mine = await own;
    expect([mine.pid, mine.status]).toEqual([pid, 0]);
  });
});
