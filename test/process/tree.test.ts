import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { jobTree, readProc } from '../../src/process/tree.js';

/** Real processes: a shell with a sleeping child, in a process group of its own. */
const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {}
  }
});

async function family(): Promise<{ pid: number; child: number }> {
  const c = spawn('sh', ['-c', 'sleep 30 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  started.push(c);
  const child = await new Promise<number>((resolve) => c.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  return { pid: c.pid!, child };
}

const pids = (list: { pid: number }[]) => list.map((p) => p.pid).sort((a, b) => a - b);

describe('job tree membership by start time (/proc/PID/stat field 22)', () => {
  it('a root with the start time it was started with is the job, with what hangs below it', async () => {
    const f = await family();
    const starts = new Map([[f.pid, readProc(f.pid)!.starttime]]);
    expect(pids(jobTree({ roots: [f.pid], groups: [], exclude: [], starts }))).toEqual([f.pid, f.child].sort((a, b) => a - b));
    // Through the full /proc scan too (a live group forces it).
    expect(pids(jobTree({ roots: [f.pid], groups: [f.pid], exclude: [], starts: new Map([...starts]) }, undefined))).toContain(f.child);
  });

  it('a root pid now held by a process with another start time (a reused pid) is a stranger, and so is its tree', async () => {
    const f = await family();
    const recycled = new Map([[f.pid, readProc(f.pid)!.starttime - 1]]);
    expect(jobTree({ roots: [f.pid], groups: [], exclude: [], starts: recycled })).toEqual([]);
    expect(jobTree({ roots: [f.pid], groups: [], marker: 'X=never', exclude: [], starts: recycled })).toEqual([]);
  });

  it('a group id now led by a process with another start time (a reused group) reaches nobody', async () => {
    const f = await family();
    const st = readProc(f.pid)!.starttime;
    expect(pids(jobTree({ roots: [], groups: [f.pid], exclude: [], starts: new Map([[f.pid, st]]) }))).toEqual([f.pid, f.child].sort((a, b) => a - b));
    expect(jobTree({ roots: [], groups: [f.pid], exclude: [], starts: new Map([[f.pid, st - 1]]) })).toEqual([]);
    // Members started before the group's leader cannot have joined it: the group is not the one the job made.
    expect(jobTree({ roots: [], groups: [f.pid], exclude: [], starts: new Map([[f.pid, st + 1_000_000]]) })).toEqual([]);
  });

  it('without start times, membership is by pid and group as before', async () => {
    const f = await family();
    expect(pids(jobTree({ roots: [], groups: [f.pid], exclude: [] }))).toEqual([f.pid, f.child].sort((a, b) => a - b));
  });
});
