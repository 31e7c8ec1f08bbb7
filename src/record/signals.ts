/**
 * Signal names, glibc's strsignal(3) texts (what Pegasus prints in
 * `singalled_name`), wait(2) status decoding, and strerror(3) texts for
 * launch failures. Tables, not libc calls: Node exposes neither function.
 */
import os from 'node:os';
import { EXIT } from '../exit-codes.js';
import type { JobStatus } from './types.js';

/** Linux x86_64 numbering; [name, strsignal text] at index signo - 1. */
const SIGNALS: ReadonlyArray<readonly [string, string]> = [
  ['SIGHUP', 'Hangup'],
  ['SIGINT', 'Interrupt'],
  ['SIGQUIT', 'Quit'],
  ['SIGILL', 'Illegal instruction'],
  ['SIGTRAP', 'Trace/breakpoint trap'],
  ['SIGABRT', 'Aborted'],
  ['SIGBUS', 'Bus error'],
  ['SIGFPE', 'Floating point exception'],
  ['SIGKILL', 'Killed'],
  ['SIGUSR1', 'User defined signal 1'],
  ['SIGSEGV', 'Segmentation fault'],
  ['SIGUSR2', 'User defined signal 2'],
  ['SIGPIPE', 'Broken pipe'],
  ['SIGALRM', 'Alarm clock'],
  ['SIGTERM', 'Terminated'],
  ['SIGSTKFLT', 'Stack fault'],
  ['SIGCHLD', 'Child exited'],
  ['SIGCONT', 'Continued'],
  ['SIGSTOP', 'Stopped (signal)'],
  ['SIGTSTP', 'Stopped'],
  ['SIGTTIN', 'Stopped (tty input)'],
  ['SIGTTOU', 'Stopped (tty output)'],
  ['SIGURG', 'Urgent I/O condition'],
  ['SIGXCPU', 'CPU time limit exceeded'],
  ['SIGXFSZ', 'File size limit exceeded'],
  ['SIGVTALRM', 'Virtual timer expired'],
  ['SIGPROF', 'Profiling timer expired'],
  ['SIGWINCH', 'Window changed'],
  ['SIGIO', 'I/O possible'],
  ['SIGPWR', 'Power failure'],
  ['SIGSYS', 'Bad system call'],
];

/** glibc keeps 32 and 33 for NPTL, so its SIGRTMIN is 34. */
const SIGRTMIN = 34;
const SIGRTMAX = 64;

/** 15 -> "SIGTERM"; real-time signals as "SIGRTMIN+n"; unknown as "SIG<n>". */
export function signalName(signo: number): string {
  const known = SIGNALS[signo - 1];
  if (known) return known[0];
  if (signo >= SIGRTMIN && signo <= SIGRTMAX) return signo === SIGRTMIN ? 'SIGRTMIN' : `SIGRTMIN+${signo - SIGRTMIN}`;
  return `SIG${signo}`;
}

/** "SIGTERM", "TERM", "15" or "SIGRTMIN+2" -> number; undefined when unknown. */
export function signalNumber(name: string): number | undefined {
  const s = name.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= SIGRTMAX ? n : undefined;
  }
  const full = s.startsWith('SIG') ? s : `SIG${s}`;
  const i = SIGNALS.findIndex(([n]) => n === full);
  if (i >= 0) return i + 1;
  if (full === 'SIGIOT') return 6;
  if (full === 'SIGPOLL') return 29;
  const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(full) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(full);
  if (!rt) return undefined;
  const off = Number(rt[1] ?? 0);
  const n = full.startsWith('SIGRTMIN') ? SIGRTMIN + off : SIGRTMAX - off;
  return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
}

/** strsignal(3) as glibc words it, e.g. 15 -> "Terminated". */
export function signalDescription(signo: number): string {
  const known = SIGNALS[signo - 1];
  if (known) return known[1];
  if (signo >= SIGRTMIN && signo <= SIGRTMAX) return `Real-time signal ${signo - SIGRTMIN}`;
  return `Unknown signal ${signo}`;
}

function signalled(raw: number, signo: number, corefile: boolean): JobStatus {
  return { raw, signalled_signal: signo, singalled_name: signalDescription(signo), corefile };
}

/**
 * Decodes a wait(2) status the way <sys/wait.h> does. A stopped status
 * ((raw & 0xff) == 0x7f) only arrives with WUNTRACED, which we never pass;
 * should one appear it is reported as the stop signal, since JobStatus has
 * no "suspended" shape.
 */
export function statusFromWait(raw: number): JobStatus {
  const low = raw & 0x7f;
  if (low === 0) return { raw, regular_exitcode: (raw >> 8) & 0xff };
  if (low === 0x7f) return signalled(raw, (raw >> 8) & 0xff, false);
  return signalled(raw, low, (raw & 0x80) !== 0);
}

/** Node reports (code, signal name) instead of a raw status; rebuild the raw one. */
export function statusFromExit(code: number | null, signal: string | null, corefile = false): JobStatus {
  const signo = signal === null ? undefined : signalNumber(signal);
  if (signo !== undefined) return statusFromWait(signo | (corefile ? 0x80 : 0));
  return statusFromWait(((code ?? 0) & 0xff) << 8);
}

/** strerror(3) texts (glibc, Linux numbering) for errors a launch can meet. */
const STRERROR: Record<number, string> = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  4: 'Interrupted system call',
  5: 'Input/output error',
  6: 'No such device or address',
  7: 'Argument list too long',
  8: 'Exec format error',
  9: 'Bad file descriptor',
  10: 'No child processes',
  11: 'Resource temporarily unavailable',
  12: 'Cannot allocate memory',
  13: 'Permission denied',
  14: 'Bad address',
  16: 'Device or resource busy',
  17: 'File exists',
  19: 'No such device',
  20: 'Not a directory',
  21: 'Is a directory',
  22: 'Invalid argument',
  23: 'Too many open files in system',
  24: 'Too many open files',
  26: 'Text file busy',
  27: 'File too large',
  28: 'No space left on device',
  30: 'Read-only file system',
  32: 'Broken pipe',
  36: 'File name too long',
  38: 'Function not implemented',
  40: 'Too many levels of symbolic links',
  61: 'No data available',
  80: 'Accessing a corrupted shared library',
  95: 'Operation not supported',
  110: 'Connection timed out',
  116: 'Stale file handle',
  122: 'Disk quota exceeded',
};

export function strerror(errno: number): string {
  return STRERROR[Math.abs(errno)] ?? `Unknown error ${Math.abs(errno)}`;
}

const ERRNO = os.constants.errno as Record<string, number>;

// A launch that failed because the path leads to no program: "not found".
const NOT_FOUND = new Set([0, ERRNO.ENOENT, ERRNO.ENOTDIR, ERRNO.ELOOP, ERRNO.ENAMETOOLONG]);

/**
 * The exit code of a job that never started, by its errno: 127 when there is
 * no program at that path (ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, or no errno
 * at all), 126 when one is there but would not run (EACCES, ENOEXEC, E2BIG,
 * ...). The record's raw and the exit code both come from here, so they
 * always agree.
 */
export function notStartedCode(errno: number): typeof EXIT.notFound | typeof EXIT.notExecutable {
  return NOT_FOUND.has(Math.abs(errno)) ? EXIT.notFound : EXIT.notExecutable;
}

/**
 * A job that never started. raw follows the shell's convention (126: found
 * but not runnable, 127: not found), negated as Pegasus does so it can never
 * be mistaken for a wait status. Accepts Node's negative errno too.
 */
export function failureStatus(errno: number, code?: string): JobStatus {
  const n = Math.abs(errno) || (code ? ERRNO[code] ?? 0 : 0);
  return { raw: -notStartedCode(n), failure_error: `${n}   ${strerror(n)}` };
}
