import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks since boot: tells a recycled pid from the process we knew. */
  starttime: number;
}

// One buffer for every /proc read: scans run at each job's end and on every
// kill tick, and readFileSync's per-call allocations dominated them.
const buf = Buffer.allocUnsafe(4096);

function readSmall(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('latin1', 0, n);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Parses /proc/PID/stat; undefined when the process is gone. */
export function readProc(pid: number): ProcInfo | undefined {
  const text = readSmall(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // comm may hold spaces and parentheses: the last ')' ends it.
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  return {
    pid,
    comm: text.slice(text.indexOf('(') + 1, close),
    state: f[0],
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    session: Number(f[3]),
    starttime: Number(f[19]),
  };
}

/** Direct children of a process, from every thread's /proc children list. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const text = readSmall(`/proc/${pid}/task/${tid}/children`);
    if (text) for (const c of text.trim().split(' ')) if (c) out.push(Number(c));
  }
  return out;
}

/** Whether any process is in the group, without scanning /proc. */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const p = readProc(Number(name));
    if (p) out.push(p);
  }
  return out;
}

/** A zombie counts as gone: it runs nothing and only waits to be reaped. */
export function isAlive(pid: number): boolean {
  const p = readProc(pid);
  return p !== undefined && p.state !== 'Z' && p.state !== 'X';
}

/** Whether the process's initial environment carries `marker` (NAME=value). */
function hasMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(marker);
  } catch {
    return false;
  }
}

export interface TreeQuery {
  /** Processes whose descendants belong to the job (the job's pid, and kickstart itself when it is the subreaper). */
  roots: number[];
  /** Process groups of the job: every member belongs, whoever its parent. */
  groups: number[];
  /**
   * NAME=value put in the job's environment: finds descendants that escaped
   * both tree and group. Needs a full /proc scan: only used when kickstart
   * is not the subreaper (escapees then re-parent to init, out of reach).
   */
  marker?: string;
  /** Never included, nor what hangs below them (kickstart itself, a running cleanup job). */
  exclude: number[];
  /**
   * Start times (ProcInfo.starttime) of roots and group leaders, read when
   * they were started. A pid or group id is reused once its process is
   * reaped: a root or group leader that now has another start time is a
   * stranger, and so is what hangs below it or shares its group.
   */
  starts?: ReadonlyMap<number, number>;
}

/** Whether `pid` is still the process the query knew (or is gone, or was never timed). */
function samePid(q: TreeQuery, pid: number, now: ProcInfo | undefined): boolean {
  const want = q.starts?.get(pid);
  return want === undefined || now === undefined || now.starttime === want;
}

/** Whether p belongs to group g as the job made it: not a recycled group id, and started after its leader. */
function inJobGroup(q: TreeQuery, p: ProcInfo, leader: ProcInfo | undefined): boolean {
  const want = q.starts?.get(p.pgrp);
  return want === undefined || (p.starttime >= want && samePid(q, p.pgrp, leader));
}

/**
 * Every live process of the job: descendants of the roots, members of its
 * process groups, and processes carrying its environment marker (escapees
 * re-parented to init when kickstart is not the subreaper).
 */
export function jobTree(q: TreeQuery, procs?: ProcInfo[]): ProcInfo[] {
  // Fast path: no marker to look for and no live group means the tree is
  // what hangs below the roots, found through /proc children lists.
  if (!procs && q.marker === undefined && !q.groups.some((g) => g > 1 && groupExists(g))) {
    return descendants(q);
  }
  return scan(q, procs ?? listProcs());
}

function descendants(q: TreeQuery): ProcInfo[] {
  const exclude = new Set(q.exclude);
  const found = new Map<number, ProcInfo>();
  const stack = q.roots.filter((r) => r > 0);
  while (stack.length) {
    const pid = stack.pop()!;
    if (found.has(pid)) continue;
    const isRoot = q.roots.includes(pid);
    if (!exclude.has(pid)) {
      const p = readProc(pid);
      if (!p || (isRoot && !samePid(q, pid, p))) continue;
      found.set(pid, p);
    } else if (!isRoot || !samePid(q, pid, readProc(pid))) {
      continue;
    }
    stack.push(...childrenOf(pid));
  }
  return [...found.values()];
}

function scan(q: TreeQuery, procs: ProcInfo[]): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const found = new Map<number, ProcInfo>();
  const exclude = new Set(q.exclude);
  const visit = (p: ProcInfo) => {
    if (found.has(p.pid) || exclude.has(p.pid)) return;
    found.set(p.pid, p);
    for (const c of children.get(p.pid) ?? []) visit(c);
  };
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  for (const r of q.roots) {
    const p = byPid.get(r);
    if (!samePid(q, r, p)) continue;
    if (p && !exclude.has(r)) visit(p);
    else for (const c of children.get(r) ?? []) visit(c);
  }
  const groups = new Set(q.groups);
  for (const p of procs) {
    if (groups.has(p.pgrp) && inJobGroup(q, p, byPid.get(p.pgrp))) visit(p);
  }
  if (q.marker) {
    for (const p of procs) {
      if (!found.has(p.pid) && !exclude.has(p.pid) && p.state !== 'Z' && hasMarker(p.pid, q.marker)) visit(p);
    }
  }
  return [...found.values()];
}

/** The command line of a process, for the record's list of lingering descendants. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}
