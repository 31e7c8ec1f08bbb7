import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { TracedProc } from '../record/types.js';

export type { TracedProc };

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const TICKS = 100;
export const TRACE_INTERVAL_MS = 50;

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

let bootSeconds: number | undefined;
function boot(): number {
  bootSeconds ??= Number(/^btime (\d+)/m.exec(read('/proc/stat') ?? '')?.[1] ?? 0);
  return bootSeconds;
}

/** The /proc/PID/status and /proc/PID/io lines this needs, as numbers. */
export function keyNumbers(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const m = /^([A-Za-z_]+):\s+(\d+)/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** One reading of a live process; undefined when it is gone. */
export function readTraced(pid: number, known: TracedProc | undefined, nowSeconds: number): TracedProc | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after comm, 0-based from state: ppid 1, utime 11, stime 12, threads 17, starttime 19, blkio 39.
  const status = keyNumbers(read(`/proc/${pid}/status`));
  const io = keyNumbers(read(`/proc/${pid}/io`));
  const threads = Number(f[17]);
  const argv = known?.argv ?? (read(`/proc/${pid}/cmdline`) ?? '').split('\0').slice(0, -1);
  let exe = known?.exe ?? '';
  if (!known) {
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      /* a kernel thread or another user's process: no exe to show */
    }
  }
  const p: TracedProc = {
    ppid: Number(f[1]),
    pid,
    exe,
    start: boot() + Number(f[19]) / TICKS,
    stop: nowSeconds,
    utime: Number(f[11]) / TICKS,
    stime: Number(f[12]) / TICKS,
    iowait: Number(f[39] ?? 0) / TICKS,
    finthreads: threads,
    maxthreads: Math.max(threads, known?.maxthreads ?? 0),
    totthreads: Math.max(threads, known?.totthreads ?? 0),
    vmpeak: status.VmPeak ?? known?.vmpeak ?? 0,
    rsspeak: status.VmHWM ?? known?.rsspeak ?? 0,
    rchar: io.rchar ?? known?.rchar ?? 0,
    wchar: io.wchar ?? known?.wchar ?? 0,
    rbytes: io.read_bytes ?? known?.rbytes ?? 0,
    wbytes: io.write_bytes ?? known?.wbytes ?? 0,
    cwbytes: io.cancelled_write_bytes ?? known?.cwbytes ?? 0,
    syscr: io.syscr ?? known?.syscr ?? 0,
    syscw: io.syscw ?? known?.syscw ?? 0,
    cmd: argv.join(' '),
    argv,
  };
  const written = new Set([...(known?.files_written ?? []), ...filesWritten(pid)]);
  if (written.size) p.files_written = [...written];
  return p;
}

/** Regular files a process has open for writing: its fds whose flags are O_WRONLY or O_RDWR. */
export function filesWritten(pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const fd of fds.slice(0, 256)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (!target.startsWith('/') || target.startsWith('/dev/') || target.startsWith('/proc/')) continue;
    const flags = /^flags:\s+([0-7]+)/m.exec(read(`/proc/${pid}/fdinfo/${fd}`) ?? '')?.[1];
    if (flags !== undefined && (parseInt(flags, 8) & 3) !== 0) out.push(target.replace(/ \(deleted\)$/, ''));
  }
  return out;
}

/** Samples the tree every TRACE_INTERVAL_MS until stop(); the timer never holds kickstart up. */
export class Tracer {
  private readonly seen = new Map<number, TracedProc>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly pids: () => number[]) {}

  start(): void {
    const tick = () => {
      this.tick();
      this.timer = setTimeout(tick, TRACE_INTERVAL_MS);
      this.timer.unref();
    };
    tick();
  }

  tick(): void {
    const now = Date.now() / 1000;
    for (const pid of this.pids()) {
      const known = this.seen.get(pid);
      const p = readTraced(pid, known, now);
      // A recycled pid is a new process: keep the first one's figures under its own start.
      if (p && known && Math.abs(p.start - known.start) > 0.02) continue;
      if (p) this.seen.set(pid, p);
    }
  }

  /** Every process seen, in the order they started. */
  stop(): TracedProc[] {
    clearTimeout(this.timer);
    return [...this.seen.values()].sort((a, b) => a.start - b.start || a.pid - b.pid);
  }
}
