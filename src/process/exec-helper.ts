import { accessSync, close, closeSync, constants, read } from 'node:fs';
import { dirname, join } from 'node:path';
import { native, type NativeAddon, type Rusage, type WaitResult } from '../native/addon.js';
import type { Reaper } from './reaper.js';

/**
 * Starting jobs through ks-exec (native/ks-exec.c), so their rusage is exact.
 *
 * Linux's exec records the replaced address space's RSS high-water mark into
 * the new program's maxrss. A job spawned straight from Node starts as a copy
 * of Node's ~45 MB, so even `echo` would report ru_maxrss of ~48 MB. ks-exec
 * is a ~1 MB C program: kickstart spawns it with the job's stdio, cwd and
 * environment; it forks and execs the job in a process group of its own,
 * reaps it with wait4 and reports pid, exec result, wait status and rusage
 * as text lines on a pipe placed at its fd 3.
 */

/** The addon functions this module needs beyond native.ts's declared ones. */
interface HelperAddon extends NativeAddon {
  /** [readFd, writeFd], both close-on-exec; negative values are -errno. */
  pipe(): [number, number];
  spawn(
    path: string,
    argv: string[],
    envp: string[],
    cwd: string | null,
    fds: [number, number, number],
    fd3?: number,
  ): number;
}

/** How the job ended, from ks-exec's report (or, if ks-exec died, from ks-exec itself). */
export interface JobExit {
  /** The raw wait status of the job, as wait4 gives it. */
  status: number;
  rusage: Rusage;
  /**
   * false when ks-exec ended without reporting the job (it was SIGKILLed, or
   * could not wait): `status` and `rusage` are then ks-exec's own, and the job
   * may still be running, re-parented to the subreaper or init.
   */
  reported: boolean;
}

export interface SpawnedJob {
  /** The job's pid, which is also its process group id: signal -pid. */
  pid: number;
  /** ks-exec's pid: kickstart's direct child, which must never be signalled or counted as the job. */
  helperPid: number;
  /** Resolves once the job has been reaped by ks-exec and ks-exec by kickstart; never rejects. */
  done: Promise<JobExit>;
}

export interface SpawnFailed {
  /** errno of the job's exec: 2 ENOENT, 13 EACCES, 8 ENOEXEC... (or fork's, e.g. 11 EAGAIN). */
  errno: number;
}

const ZERO: Rusage = {
  utime: 0, stime: 0, maxrss: 0, minflt: 0, majflt: 0, nswap: 0, inblock: 0,
  outblock: 0, msgsnd: 0, msgrcv: 0, nsignals: 0, nvcsw: 0, nivcsw: 0,
};

const E2BIG = 7;

let cachedPath: string | undefined | null = null;

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds ks-exec: KICKSTART_EXEC_HELPER, then beside the addon named by
 * KICKSTART_NATIVE_ADDON (the single-file binary's unpack directory), then
 * build/Release/ks-exec next to the package root, searched the way native.ts
 * finds kickstart.node. undefined when none is there.
 */
export function helperPath(): string | undefined {
  if (cachedPath !== null) return cachedPath;
  const candidates = [process.env.KICKSTART_EXEC_HELPER ?? ''];
  const addon = process.env.KICKSTART_NATIVE_ADDON;
  if (addon) candidates.push(join(dirname(addon), 'ks-exec'));
  let dir = dirname(new URL(import.meta.url).pathname);
  for (let i = 0; i < 4; i++) {
    candidates.push(join(dir, 'build', 'Release', 'ks-exec'));
    dir = dirname(dir);
  }
  cachedPath = candidates.find((c) => c !== '' && executable(c));
  return cachedPath;
}

/** The single-file binary names the ks-exec it unpacked (src/binary/). */
export function useHelper(path: string): void {
  cachedPath = path;
}

/** Forgets the cached helperPath() result (tests that change the environment). */
export function resetHelperPath(): void {
  cachedPath = null;
}

/** Parses ks-exec's `exit STATUS UTIME STIME MAXRSS ...` line (fields after the keyword). */
export function parseExitLine(fields: string[]): { status: number; rusage: Rusage } {
  const n = fields.map(Number);
  return {
    status: n[0],
    rusage: {
      utime: n[1], stime: n[2], maxrss: n[3], minflt: n[4], majflt: n[5], nswap: n[6],
      inblock: n[7], outblock: n[8], msgsnd: n[9], msgrcv: n[10], nsignals: n[11],
      nvcsw: n[12], nivcsw: n[13],
    },
  };
}

/**
 * Starts `path` with `argv` (argv[0] included), `envp` (NAME=value), `cwd`
 * and `fds` as its stdin/stdout/stderr, through ks-exec. Resolves once the
 * exec has succeeded or failed: `{ pid, helperPid, done }` or `{ errno }`.
 *
 * ks-exec is kickstart's child and must be reaped by it: with a `reaper` its
 * pid is registered with `reaper.exited()` before this function yields (the
 * CLI's wait4(-1) loop would otherwise reap it as an adopted pid); without
 * one it is reaped with `native().wait(helperPid)`.
 *
 * Throws when ks-exec is missing or cannot be started, or ends before
 * reporting the exec: that is an installation fault, not the job's.
 */
export async function spawnJob(
  path: string,
  argv: string[],
  envp: string[],
  cwd: string | null,
  fds: [number, number, number],
  reaper?: Reaper,
): Promise<SpawnedJob | SpawnFailed> {
  const helper = helperPath();
  if (!helper) {
    throw new Error('the exec helper build/Release/ks-exec is missing: run `npm install` (or set KICKSTART_EXEC_HELPER)');
  }
  const addon = native() as HelperAddon;
  if (typeof addon.pipe !== 'function') {
    throw new Error('the native addon is older than ks-exec (no pipe()): rebuild it with `npm install`');
  }
  const [rfd, wfd] = addon.pipe();
  if (rfd < 0) throw new Error(`pipe() failed: errno ${-rfd}`);
  let helperPid: number;
  try {
    helperPid = addon.spawn(helper, ['ks-exec', '3', '1', path, ...argv], envp, cwd, fds, wfd);
  } finally {
    closeSync(wfd);
  }
  if (helperPid < 0) {
    closeSync(rfd);
    // The job's own arguments or environment are over the kernel's limits
    // (one argument over 128 KiB, or all over ARG_MAX): the job's failure, as
    // its own exec would have failed the same way, not an installation fault.
    if (helperPid === -E2BIG) return { errno: E2BIG };
    throw new Error(`cannot start the exec helper ${helper}: errno ${-helperPid}`);
  }
  // Registered now, synchronously: nothing can reap the helper before this.
  const helperDone: Promise<WaitResult> = reaper ? reaper.exited(helperPid) : addon.wait(helperPid);

  return new Promise<SpawnedJob | SpawnFailed>((resolveStart, rejectStart) => {
    let started = false;
    let jobPid = 0;
    let exitLine: { status: number; rusage: Rusage } | undefined;
    let resolveReport!: () => void;
    const reportEnded = new Promise<void>((r) => (resolveReport = r));
    let buffered = '';

    const onLine = (line: string): void => {
      const [kind, ...fields] = line.split(' ');
      if (kind === 'pid') {
        jobPid = Number(fields[0]);
      } else if (kind === 'exec' && !started) {
        started = true;
        const errno = Number(fields[0]);
        if (errno !== 0 || jobPid <= 0) {
          resolveStart({ errno: errno || 5 /* EIO: exec said ok with no pid */ });
          return;
        }
        const done = Promise.all([reportEnded, helperDone]).then(([, w]): JobExit => {
          if (exitLine) return { ...exitLine, reported: true };
          return { status: w.status ?? 0, rusage: w.rusage ?? ZERO, reported: false };
        });
        resolveStart({ pid: jobPid, helperPid, done });
      } else if (kind === 'exit') {
        exitLine = parseExitLine(fields);
      }
    };

    // Plain reads on the thread pool rather than a net.Socket: node:net and
    // the stream modules cost every run several ms to load. The read blocks
    // one pool thread while the job runs; one job runs at a time.
    const buf = Buffer.allocUnsafe(4096);
    let ended = false;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      close(rfd, () => {});
      resolveReport();
      if (!started) {
        started = true;
        void helperDone.then((w) => {
          rejectStart(new Error(`the exec helper ended without reporting the exec (wait status ${w.status ?? 'unknown'}, errno ${w.errno})`));
        });
      }
    };
    const readMore = (): void =>
      read(rfd, buf, 0, buf.length, null, (err, n) => {
        if (err?.code === 'EINTR') return readMore();
        if (err || n === 0) return finish();
        buffered += buf.toString('latin1', 0, n);
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          onLine(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
        }
        readMore();
      });
    readMore();
  });
}
