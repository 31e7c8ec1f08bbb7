/**
 * The `machine` block, with Pegasus's keys in Pegasus's order. Everything
 * comes from /proc and /sys with plain reads: no DNS, no child processes.
 *
 * Measured on the reference VM (2 vCPU): 1.5-2 ms per call with ~90
 * processes / ~160 threads, ~5 ms with ~100 processes / ~460 threads (a
 * parallel test run); the first call in a process adds ~3-4 ms of warm-up.
 * Cost is one small read per process plus one per thread of multi-threaded
 * processes, which is why single-threaded ones reuse their process state.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import os from 'node:os';
import type { MachineInfo } from './types.js';
import { native, type NativeAddon } from '../native/addon.js';
import { monotonicMs } from '../startup.js';

function readText(path: string, limit?: number): string {
  if (limit === undefined) return readFileSync(path, 'latin1');
  // Reading a prefix stops the kernel from formatting the rest (cpuinfo on a
  // 256-core host is ~300 KB and samples each core's clock).
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(limit);
    return buf.toString('latin1', 0, readSync(fd, buf, 0, limit, 0));
  } finally {
    closeSync(fd);
  }
}

// One scratch buffer for the /proc/PID/stat walk: open+read+close into it
// costs ~7 us a file against ~12-19 us for readFileSync (which also fstats).
// A stat line is under 1 KiB (comm is at most 16 bytes), so 4 KiB always fits.
const scratch = Buffer.allocUnsafe(4096);

function readStat(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    return scratch.toString('latin1', 0, readSync(fd, scratch, 0, scratch.length, 0));
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

function tryRead(path: string, limit?: number): string {
  try {
    return readText(path, limit);
  } catch {
    return '';
  }
}

/** "MemTotal:  24684092 kB" lines -> { MemTotal: 24684092 } (KiB). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** First processor's "key : value" pairs from /proc/cpuinfo. */
export function parseCpuinfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(out).length > 0) break;
      continue;
    }
    const i = line.indexOf(':');
    if (i < 0) continue;
    const key = line.slice(0, i).trim();
    if (!(key in out)) out[key] = line.slice(i + 1).trim();
  }
  return out;
}

/** "0-3,8-11" (sysfs cpu list) -> 8. */
export function countCpuList(text: string): number {
  let n = 0;
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a + 1;
  }
  return n;
}

/** AT_PAGESZ (6) from the auxiliary vector; Node exposes no getpagesize(). */
export function pageSizeFromAuxv(buf: Buffer): number | undefined {
  for (let off = 0; off + 16 <= buf.length; off += 16) {
    const type = buf.readBigUInt64LE(off);
    if (type === 0n) break;
    if (type === 6n) return Number(buf.readBigUInt64LE(off + 8));
  }
  return undefined;
}

/** Counters for procs_* or task_*; Pegasus's categories. */
export interface StateCounts {
  total: number;
  running: number;
  sleeping: number;
  waiting: number;
  zombie: number;
  stopped: number;
  other: number;
}

const emptyCounts = (): StateCounts => ({
  total: 0, running: 0, sleeping: 0, waiting: 0, zombie: 0, stopped: 0, other: 0,
});

/**
 * Kernel idle threads (state I) land in "other": the reference VM's 36-37
 * I-state kthreads match its procs_other/task_other of 36-37 exactly.
 * D (uninterruptible) is Pegasus's historical "waiting".
 */
export function countState(c: StateCounts, state: string): void {
  c.total++;
  switch (state) {
    case 'R': c.running++; break;
    case 'S': c.sleeping++; break;
    case 'D': c.waiting++; break;
    case 'Z': c.zombie++; break;
    case 'T': case 't': c.stopped++; break;
    default: c.other++;
  }
}

export interface ProcStat {
  state: string;
  threads: number;
  /** Bytes. */
  vsize: number;
  /** Pages. */
  rss: number;
}

/** /proc/PID/stat; comm may hold spaces and ')' so fields start after the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const f = text.slice(end + 2).split(' ');
  // f[k - 3] is field k of proc(5): 3 state, 20 num_threads, 23 vsize, 24 rss.
  return { state: f[0], threads: Number(f[17]), vsize: Number(f[20]), rss: Number(f[21]) };
}

function isPid(name: string): boolean {
  const c = name.charCodeAt(0);
  return c >= 48 && c <= 57;
}

export interface ProcScan {
  procs: StateCounts;
  tasks: StateCounts;
  vmsizeKiB: number;
  rssKiB: number;
}

const KEYS = ['total', 'running', 'sleeping', 'waiting', 'zombie', 'stopped', 'other'] as const;

function countsFrom(a: number[]): StateCounts {
  const c = emptyCounts();
  KEYS.forEach((k, i) => (c[k] = a[i]));
  return c;
}

/**
 * Starts the process census on the thread pool (native addon), to overlap
 * with the job; falls back to the JavaScript walk when the addon is missing.
 */
export function startCensus(maxAgeMs = 0): Promise<ProcScan> {
  // A batch shares one census among the tasks of a moment: a /proc walk per
  // task of a thousand short tasks cost more than the tasks themselves.
  if (maxAgeMs > 0 && lastCensus && monotonicMs() - lastCensus.at <= maxAgeMs) return lastCensus.scan;
  const scan = censusNow();
  if (maxAgeMs > 0) lastCensus = { at: monotonicMs(), scan };
  return scan;
}

let lastCensus: { at: number; scan: Promise<ProcScan> } | undefined;

async function censusNow(): Promise<ProcScan> {
  const page = pageSize();
  let r: Awaited<ReturnType<NativeAddon['procScan']>>;
  try {
    r = await native().procScan();
  } catch {
    return scanProcesses(page);
  }
  return { procs: countsFrom(r.procs), tasks: countsFrom(r.tasks), vmsizeKiB: Math.floor(r.vsize / 1024), rssKiB: Math.floor((r.rss * page) / 1024) };
}

/** Walks /proc once; processes that exit mid-walk are simply skipped. */
export function scanProcesses(pageSize: number): ProcScan {
  const procs = emptyCounts();
  const tasks = emptyCounts();
  let vm = 0;
  let rssPages = 0;
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    names = [];
  }
  for (const pid of names) {
    if (!isPid(pid)) continue;
    const st = parseProcStat(readStat(`/proc/${pid}/stat`));
    if (!st) continue;
    countState(procs, st.state);
    vm += st.vsize || 0;
    rssPages += st.rss || 0;
    if (!(st.threads > 1)) {
      countState(tasks, st.state);
      continue;
    }
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const t = parseProcStat(readStat(`/proc/${pid}/task/${tid}/stat`));
      if (t) countState(tasks, t.state);
    }
  }
  return { procs, tasks, vmsizeKiB: Math.floor(vm / 1024), rssKiB: Math.floor((rssPages * pageSize) / 1024) };
}

let page: number | undefined;

function pageSize(): number {
  try {
    page ??= pageSizeFromAuxv(readFileSync('/proc/self/auxv')) ?? 4096;
  } catch {
    page = 4096;
  }
  return page;
}

function cpuCount(): number {
  const n = countCpuList(tryRead('/sys/devices/system/cpu/online'));
  return n > 0 ? n : os.cpus().length;
}

/** Always-present counters first, then the ones Pegasus prints only when non-zero. */
function putCounts(m: MachineInfo, prefix: string, c: StateCounts): void {
  m[`${prefix}_total`] = c.total;
  m[`${prefix}_running`] = c.running;
  m[`${prefix}_sleeping`] = c.sleeping;
  if (c.waiting > 0) m[`${prefix}_waiting`] = c.waiting;
  if (c.zombie > 0) m[`${prefix}_zombie`] = c.zombie;
  if (c.stopped > 0) m[`${prefix}_stopped`] = c.stopped;
  m[`${prefix}_other`] = c.other;
}

/** The machine block; `census` is a scan started earlier (startCensus), else one is made now. */
export function machineInfo(census?: ProcScan): MachineInfo {
  const page = pageSize();
  const mem = parseMeminfo(tryRead('/proc/meminfo'));
  const cpu = parseCpuinfo(tryRead('/proc/cpuinfo', 16384));
  const load = tryRead('/proc/loadavg').split(' ').map(Number);
  const scan = census ?? scanProcesses(page);
  const fallbackCpu = (): os.CpuInfo | undefined => os.cpus()[0];

  const m: MachineInfo = {
    'page-size': page,
    uname_system: os.type().toLowerCase(),
    uname_nodename: os.hostname(),
    uname_release: os.release(),
    uname_machine: os.machine(),
    ram_total: mem.MemTotal ?? 0,
    ram_free: mem.MemFree ?? 0,
    ram_shared: mem.Shmem ?? 0,
    ram_buffer: mem.Buffers ?? 0,
    swap_total: mem.SwapTotal ?? 0,
    swap_free: mem.SwapFree ?? 0,
    cpu_count: cpuCount(),
    // Integer MHz, truncated as C's strtoul would read "2596.122".
    cpu_speed: cpu['cpu MHz'] ? Math.trunc(Number(cpu['cpu MHz'])) : (fallbackCpu()?.speed ?? 0),
    cpu_vendor: cpu.vendor_id ?? cpu['CPU implementer'] ?? '',
    cpu_model: cpu['model name'] ?? fallbackCpu()?.model ?? '',
    load_min1: load[0] || 0,
    load_min5: load[1] || 0,
    load_min15: load[2] || 0,
  };
  putCounts(m, 'procs', scan.procs);
  m.procs_vmsize = scan.vmsizeKiB;
  m.procs_rss = scan.rssKiB;
  putCounts(m, 'task', scan.tasks);
  return m;
}
