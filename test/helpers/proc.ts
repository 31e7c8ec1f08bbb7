import { readdirSync, readFileSync } from 'node:fs';

/**
 * The tests' one /proc probe, read apart from src/process/ so that a test of
 * kickstart's process handling does not look through kickstart's own eyes.
 * Every read of a process that is gone meanwhile gives undefined (or '').
 */
export interface ProcStat {
  /** R, S, D, Z, T, ... */
  state: string;
  ppid: number;
  pgrp: number;
}

/** Fields of /proc/PID/stat after the command (which may hold spaces and parentheses). */
export function procStat(pid: number): ProcStat | undefined {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]) };
}

/** A zombie (Z, X) counts as gone, as does a missing entry. */
export function isGone(pid: number): boolean {
  const st = procStat(pid)?.state;
  return st === undefined || st === 'Z' || st === 'X';
}

/** A file of /proc/PID ('cmdline', 'environ', 'status'), or '' when the process is gone. */
export function procFile(pid: number, name: 'cmdline' | 'environ' | 'status'): string {
  try {
    return readFileSync(`/proc/${pid}/${name}`, name === 'status' ? 'utf8' : 'latin1');
  } catch {
    return '';
  }
}

/** Every pid in /proc but this process's. */
export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)
    .map(Number);
}

/** Live (not zombie) processes that `test` picks. */
export function processesWhere(test: (pid: number) => boolean): number[] {
  return allPids().filter((pid) => test(pid) && !isGone(pid));
}

/** Every process below `root` (by parent pid), root first. */
export function tree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const pid of allPids()) {
    const st = procStat(pid);
    if (st) parent.set(pid, st.ppid);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}

/** Resident and peak resident set of a live process, in bytes (0 when it is gone). */
export function memory(pid: number): { rss: number; hwm: number } {
  const s = procFile(pid, 'status');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}
