import { chmodSync, statSync } from 'node:fs';
import { spawnJob } from '../process/exec-helper.js';
import type { Reaper } from '../process/reaper.js';
import { resolveExecutable } from '../process/resolve.js';
import { statInfo } from '../record/stat.js';
import { failureStatus, statusFromWait } from '../record/signals.js';
import { isoMillis } from '../record/time.js';
import type { JobName, JobRecord, Rusage } from '../record/types.js';

export const ZERO_USAGE: Rusage = {
  utime: 0, stime: 0, maxrss: 0, minflt: 0, majflt: 0, nswap: 0, inblock: 0,
  outblock: 0, msgsnd: 0, msgrcv: 0, nsignals: 0, nvcsw: 0, nivcsw: 0,
};

export interface JobSpec {
  name: JobName;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  fds: [number, number, number];
  makeExecutable?: boolean;
}

/** What running one job produced: its record block and the facts the outcome needs. */
export interface JobResult {
  name: JobName;
  record: JobRecord;
  /** The wait status, or undefined when the job never started. */
  raw?: number;
  exitCode?: number;
  signal?: number;
  /** errno when it could not be started (2 not found, 13 not runnable). */
  startErrno?: number;
}

export interface Started {
  /** The job's pid and process group. */
  pid: number;
  /** ks-exec, the job's parent: never to be signalled (see process/exec-helper.ts). */
  helperPid: number;
  done: Promise<JobResult>;
}

/**
 * Resolves, stats and starts one job in a process group of its own, through
 * ks-exec, which reaps it with wait4 so `usage` is the kernel's accounting of
 * the job and its reaped descendants, not polluted by Node's own memory.
 * Returns a failed result, never throws, when the executable cannot be found
 * or started: the record must still be written.
 */
export async function startJob(spec: JobSpec, reaper: Reaper): Promise<Started | JobResult> {
  const file = spec.argv[0] ?? '';
  let resolved = resolveExecutable(file, spec.env.PATH, spec.cwd);
  if (spec.makeExecutable && !resolved.ok && resolved.code === 'EACCES') {
    try {
      chmodSync(resolved.path, statSync(resolved.path).mode | 0o111);
      resolved = resolveExecutable(file, spec.env.PATH, spec.cwd);
    } catch {
      /* the result below says why it cannot run */
    }
  }
  const executable = statInfo(resolved.path);
  const args = spec.argv.slice(1);
  if (!resolved.ok) return notStarted(spec.name, resolved.errno, executable, args);
  const envp = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  const startMs = Date.now();
  const t0 = process.hrtime.bigint();
  const spawned = await spawnJob(resolved.path, spec.argv, envp, spec.cwd, spec.fds, reaper);
  if ('errno' in spawned) return notStarted(spec.name, spawned.errno, executable, args);
  const pid = spawned.pid;
  const done = spawned.done.then((w): JobResult => {
    const duration = Number(process.hrtime.bigint() - t0) / 1e9;
    const raw = w.status;
    const status = statusFromWait(raw);
    return {
      name: spec.name,
      raw,
      exitCode: 'regular_exitcode' in status ? status.regular_exitcode : undefined,
      signal: 'signalled_signal' in status ? status.signalled_signal : undefined,
      record: {
        start: isoMillis(startMs),
        duration,
        pid,
        usage: w.rusage,
        status,
        executable,
        argument_vector: args,
      },
    };
  });
  return { pid, helperPid: spawned.helperPid, done };
}

function notStarted(name: JobName, errno: number, executable: JobRecord['executable'], args: string[]): JobResult {
  return {
    name,
    startErrno: errno,
    record: {
      // Pegasus writes the epoch for a job that never started.
      start: isoMillis(0),
      duration: 0,
      usage: ZERO_USAGE,
      status: failureStatus(errno),
      executable,
      argument_vector: args,
    },
  };
}

export function isStarted(s: Started | JobResult): s is Started {
  return 'pid' in s && 'done' in s;
}
