import { availableParallelism, constants } from 'node:os';
import { InvalidArgumentError } from 'commander';
import type { SignalName } from '../process/signal.js';
import { parseDuration } from '../supervise/duration.js';
import type { StatRequest } from '../supervise/options.js';

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** -B: bytes with an optional k/M/G suffix, or `all`. */
export function parseSize(text: string): number | 'all' {
  if (text.toLowerCase() === 'all') return 'all';
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  // "Invalid -B argument": pegasus-kickstart's words, which job wrappers look for.
  if (!m || unit === undefined) throw new InvalidArgumentError(`Invalid -B argument '${text}': use bytes like 65536, 64k, 1M, or 'all'`);
  return Number(m[1]) * unit;
}

export function durationParser(bareUnit: 's' | 'm') {
  return (text: string): number => {
    const ms = parseDuration(text, bareUnit);
    if (ms === undefined) {
      const bare = bareUnit === 'm' ? 'a bare number means minutes' : 'a bare number means seconds';
      throw new InvalidArgumentError(`'${text}' is not a duration: use e.g. 90s, 2m, 1.5h, 500ms (${bare})`);
    }
    return ms;
  };
}

/** --max-walltime, --checkpoint-time, --checkpoint-interval: a duration, or `auto`. */
export function durationOrAuto(bareUnit: 's' | 'm') {
  const parse = durationParser(bareUnit);
  return (text: string): number | 'auto' => (text.trim().toLowerCase() === 'auto' ? 'auto' : parse(text));
}

/** --checkpoint-overhead: a percentage (5%, 5) as a fraction. */
export function parsePercent(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`'${text}' is not a percentage: use e.g. 5% or 2.5`);
  return Number(m[1]) / 100;
}

/** --monitor-interval: a duration (bare number: seconds), or 0/off for no sampling. */
export function parseInterval(text: string): number {
  if (text.trim().toLowerCase() === 'off') return 0;
  const ms = parseDuration(text, 's');
  if (ms === undefined) throw new InvalidArgumentError(`'${text}' is not an interval: use e.g. 1s, 500ms, 5 (seconds), or off`);
  if (ms > 0 && ms < 10) throw new InvalidArgumentError(`'${text}' is too short to sample a process tree: use 10ms or more, or off`);
  return ms;
}

/** --checkpoint-signal: USR1, SIGUSR1 or a number; not KILL or STOP, which no app can act on. */
export function parseSignal(text: string): SignalName {
  const t = text.trim().toUpperCase();
  const byNumber = /^\d+$/.test(t) ? (Object.keys(constants.signals) as SignalName[]).find((k) => constants.signals[k] === Number(t)) : undefined;
  const name = byNumber ?? ((t.startsWith('SIG') ? t : `SIG${t}`) as SignalName);
  if (!(name in constants.signals)) throw new InvalidArgumentError(`'${text}' is not a signal: use a name like USR1, USR2, TERM, or its number`);
  if (name === 'SIGKILL' || name === 'SIGSTOP') throw new InvalidArgumentError(`'${text}' cannot be caught, so it cannot ask for a checkpoint: use e.g. USR1`);
  return name;
}

export function parseCount(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError(`'${text}' is not a whole number`);
  return Number(text);
}

export function parseExitCode(text: string): number {
  const n = parseCount(text);
  if (n > 255) throw new InvalidArgumentError(`'${text}' is not an exit code: use 0 to 255`);
  return n;
}

/** -s/-S: `[lfn=]file`, repeatable. */
export function collectStat(text: string, previous: StatRequest[] = []): StatRequest[] {
  if (text === '') throw new InvalidArgumentError('needs a file name: [lfn=]file or @listfile');
  if (text.startsWith('@')) {
    if (text.length === 1) throw new InvalidArgumentError(`'@' names no list file: use @listfile, one [lfn=]file a line`);
    return [...previous, { path: text.slice(1), list: true }];
  }
  const eq = text.indexOf('=');
  const req = eq > 0 ? { lfn: text.slice(0, eq), path: text.slice(eq + 1) } : { path: text };
  if (req.path === '') throw new InvalidArgumentError(`'${text}' names no file: use [lfn=]file`);
  return [...previous, req];
}

export function collect(text: string, previous: string[] = []): string[] {
  return [...previous, text];
}

/** batch -S: exit codes, repeatable. */
export function collectExitCode(text: string, previous: number[] = []): number[] {
  return [...previous, parseExitCode(text)];
}

/** batch -j: tasks at once, or 'auto' (one per CPU). */
export function parseJobs(text: string): number {
  if (text === 'auto') return availableParallelism();
  if (!/^[1-9]\d*$/.test(text.trim())) throw new InvalidArgumentError(`'${text}' is not a number of tasks: use 1 or more, or auto`);
  return Number(text);
}
