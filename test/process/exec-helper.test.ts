import { execFileSync, spawnSync } from 'node:child_process';
import { PYTHON } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';
import { chmodSync, closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helperPath, spawnJob, type JobExit, type SpawnedJob, type SpawnFailed } from '../../src/process/exec-helper.js';
import { native } from '../../src/native/addon.js';
import { Reaper } from '../../src/process/reaper.js';
import { readProc } from '../../src/process/tree.js';

const { dir } = tempDir('exec-helper');

const ENV = [`PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, 'LC_ALL=C'];
const NULL_FD = openSync('/dev/null', 'r+');
afterAll(() => closeSync(NULL_FD));

function started(r: SpawnedJob | SpawnFailed): SpawnedJob {
  if ('errno' in r) throw new Error(`exec failed: errno ${r.errno}`);
  return r;
}

/** Runs a job through ks-exec with stdout and stderr in files; returns its exit and output. */
async function run(path: string, argv: string[], reaper?: Reaper): Promise<JobExit & { out: string; pid: number }> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(out, 'w');
  let job: SpawnedJob;
  try {
    job = started(await spawnJob(path, argv, ENV, dir, [NULL_FD, fd, fd], reaper));
  } finally {
    closeSync(fd);
  }
  const exit = await job.done;
  return { ...exit, out: readFileSync(out, 'utf8'), pid: job.pid };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe('ks-exec', () => {
  it('is built next to the addon', () => {
    const p = helperPath();
    expect(p).toBeDefined();
    expect(existsSync(p!)).toBe(true);
  });

  it('reports the maxrss of echo as echo, not as Node (direct spawn shows the problem)', async () => {
    const via = await run('/bin/echo', ['echo', 'hi']);
    expect(via.out).toBe('hi\n');
    expect(via.status).toBe(0);
    expect(via.reported).toBe(true);

    const pid = native().spawn('/bin/echo', ['echo', 'hi'], ENV, dir, [NULL_FD, NULL_FD, NULL_FD]);
    expect(pid).toBeGreaterThan(0);
    const direct = await native().wait(pid);
    console.log(`echo maxrss: via ks-exec ${via.rusage.maxrss} KiB, direct posix_spawn from Node ${direct.rusage!.maxrss} KiB`);
    expect(via.rusage.maxrss).toBeLessThan(5000);
    expect(direct.rusage!.maxrss).toBeGreaterThan(20000);
  });

  it.skipIf(!PYTHON || !existsSync('/usr/bin/time'))('a job touching 200 MiB has the maxrss /usr/bin/time -v reports', async () => {
    const code = "b = bytearray(b'x') * (200 << 20)";
    const via = await run(PYTHON!, ['python3', '-c', code]);
    expect(via.status).toBe(0);
    const t = spawnSync('/usr/bin/time', ['-v', PYTHON!, '-c', code], { encoding: 'utf8' });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(t.stderr);
    expect(m).not.toBeNull();
    const reference = Number(m![1]);
    console.log(`200 MiB job maxrss: via ks-exec ${via.rusage.maxrss} KiB, /usr/bin/time -v ${reference} KiB (${(((via.rusage.maxrss - reference) / reference) * 100).toFixed(2)}%)`);
    expect(reference).toBeGreaterThan(200 * 1024);
    expect(Math.abs(via.rusage.maxrss - reference) / reference).toBeLessThan(0.05);
    expect(via.rusage.utime + via.rusage.stime).toBeGreaterThan(0);
    expect(via.rusage.minflt).toBeGreaterThan(50000 / 4); // 200 MiB of pages touched
  });

  it('passes the wait status through: exit 3 is 768, a SIGTERM death is 15', async () => {
    expect((await run('/bin/sh', ['sh', '-c', 'exit 3'])).status).toBe(768);
    expect((await run('/bin/sh', ['sh', '-c', 'kill -TERM $$'])).status).toBe(15);
  });

  it('passes argv, environment and cwd', async () => {
    const r = await run('/bin/sh', ['sh', '-c', 'echo "$0|$1|$LC_ALL|$(pwd)"', 'a b', 'c']);
    expect(r.out).toBe(`a b|c|C|${dir}\n`);
  });

  it('returns exec errors: ENOENT 2, EACCES 13', async () => {
    expect(await spawnJob(join(dir, 'missing'), ['missing'], ENV, dir, [NULL_FD, NULL_FD, NULL_FD])).toEqual({ errno: 2 });
    const script = join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o644);
    expect(await spawnJob(script, ['x'], ENV, dir, [NULL_FD, NULL_FD, NULL_FD])).toEqual({ errno: 13 });
  });

  it('puts the job in its own process group; -pgid SIGTERM kills it while ks-exec survives and reports', async () => {
    const job = started(await spawnJob('/bin/sleep', ['sleep', '30'], ENV, dir, [NULL_FD, NULL_FD, NULL_FD]));
    const info = readProc(job.pid);
    expect(info?.pgrp).toBe(job.pid);
    expect(info?.ppid).toBe(job.helperPid);
    const helper = readProc(job.helperPid);
    expect(helper?.ppid).toBe(process.pid);
    expect(helper?.pgrp).not.toBe(job.pid);
    // Signals meant for kickstart's group do not end the helper.
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE'] as const) process.kill(job.helperPid, s);
    await sleep(50);
    expect(readProc(job.helperPid)?.state).not.toBe('Z');
    process.kill(-job.pid, 'SIGTERM');
    const exit = await job.done;
    expect(exit.reported).toBe(true);
    expect(exit.status).toBe(15);
  });

  it('restores default signal dispositions and an empty mask in the job', async () => {
    // glibc's posix_spawn (how kickstart starts ks-exec) leaves its internal
    // signals 32 and 33 ignored; ks-exec resets them too.
    const r = await run('/bin/grep', ['grep', '-E', '^Sig(Blk|Ign)', '/proc/self/status']);
    expect(r.out).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  it('leaks no fd >= 3 into the job', async () => {
    const r = await run('/bin/sh', ['sh', '-c', 'ls /proc/$$/fd']);
    expect(r.out.trim().split(/\s+/)).toEqual(['0', '1', '2']);
    // Nor a descriptor ks-exec itself inherited without close-on-exec (bash's 7<).
    const report = join(dir, 'report');
    const out = execFileSync('bash', ['-c', `"$0" 3 1 /bin/sh sh -c 'ls /proc/$$/fd' 3>"$1" 7</etc/passwd`, helperPath()!, report], { encoding: 'utf8' });
    expect(out.trim().split(/\s+/)).toEqual(['0', '1', '2']);
    expect(readFileSync(report, 'utf8')).toMatch(/^pid \d+\nexec 0\nexit 0 [\d. ]+\n$/);
  });

  it('works with a Reaper in "all" mode (the CLI) and in "own" mode', async () => {
    const all = new Reaper('all');
    const a = await run('/bin/sh', ['sh', '-c', 'exit 4'], all);
    expect(a.status).toBe(4 << 8);
    expect(all.adopted).toEqual([]);
    const own = new Reaper('own');
    expect((await run('/bin/echo', ['echo', 'x'], own)).out).toBe('x\n');
  });

  it('measures the start-up cost of going through ks-exec', async () => {
    const N = 50;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const viaSpawn: number[] = [];
    const viaTotal: number[] = [];
    const directSpawn: number[] = [];
    const directTotal: number[] = [];
    for (let i = 0; i < N; i++) {
      let t0 = process.hrtime.bigint();
      const job = started(await spawnJob('/bin/true', ['true'], ENV, dir, [NULL_FD, NULL_FD, NULL_FD]));
      viaSpawn.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await job.done;
      viaTotal.push(Number(process.hrtime.bigint() - t0) / 1e6);

      t0 = process.hrtime.bigint();
      const pid = native().spawn('/bin/true', ['true'], ENV, dir, [NULL_FD, NULL_FD, NULL_FD]);
      directSpawn.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await native().wait(pid);
      directTotal.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const f = (x: number) => `${x.toFixed(3)} ms`;
    console.log(
      `/bin/true, median of ${N}: spawn-to-exec via ks-exec ${f(median(viaSpawn))}, direct ${f(median(directSpawn))}; ` +
        `spawn-to-reaped via ks-exec ${f(median(viaTotal))}, direct ${f(median(directTotal))}; ` +
        `extra cost ${f(median(viaTotal) - median(directTotal))}`,
    );
    expect(median(viaTotal)).toBeLessThan(median(directTotal) + 50);
  });
});
