/**
 * The `limits` block. Node has no getrlimit(), but /proc/PID/limits lists
 * every resource in RLIMIT order. Pegasus names each by its <sys/resource.h>
 * macro; RSS (5) and RTTIME (15) print as RESOURCE_5 / RESOURCE_15 because
 * its name table lacks them, and we keep that so records diff cleanly.
 */
import { readFileSync } from 'node:fs';

/** /proc/PID/limits row title -> Pegasus key prefix, in RLIMIT number order. */
const RESOURCES: ReadonlyArray<readonly [string, string]> = [
  ['Max cpu time', 'RLIMIT_CPU'],
  ['Max file size', 'RLIMIT_FSIZE'],
  ['Max data size', 'RLIMIT_DATA'],
  ['Max stack size', 'RLIMIT_STACK'],
  ['Max core file size', 'RLIMIT_CORE'],
  ['Max resident set', 'RESOURCE_5'],
  ['Max processes', 'RLIMIT_NPROC'],
  ['Max open files', 'RLIMIT_NOFILE'],
  ['Max locked memory', 'RLIMIT_MEMLOCK'],
  ['Max address space', 'RLIMIT_AS'],
  ['Max file locks', 'RLIMIT_LOCKS'],
  ['Max pending signals', 'RLIMIT_SIGPENDING'],
  ['Max msgqueue size', 'RLIMIT_MSGQUEUE'],
  ['Max nice priority', 'RLIMIT_NICE'],
  ['Max realtime priority', 'RLIMIT_RTPRIO'],
  ['Max realtime timeout', 'RESOURCE_15'],
];

const value = (s: string | undefined): string | number =>
  s === undefined || s === 'unlimited' || !/^\d+$/.test(s) ? 'unlimited' : Number(s);

/** Pure parser for the text of /proc/PID/limits. */
export function parseLimits(text: string): Record<string, string | number> {
  const lines = text.split('\n');
  const out: Record<string, string | number> = {};
  for (const [title, key] of RESOURCES) {
    // Titles are unique prefixes followed by column padding, never a longer word.
    const line = lines.find((l) => l.startsWith(`${title} `));
    if (!line) continue;
    const [soft, hard] = line.slice(title.length).trim().split(/\s+/);
    out[`${key}_soft`] = value(soft);
    out[`${key}_hard`] = value(hard);
  }
  return out;
}

/** Limits of `pid` (default: this process, whose limits the job inherits). */
export function limits(pid: number | 'self' = 'self'): Record<string, string | number> {
  try {
    return parseLimits(readFileSync(`/proc/${pid}/limits`, 'latin1'));
  } catch {
    return {};
  }
}
