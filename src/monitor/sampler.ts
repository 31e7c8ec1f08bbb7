import type { FileHandle } from 'node:fs/promises';
import type { PidStatus } from 'pidusage';
import { treeCpu, type CpuReading } from './cpu.js';
import { emptyColumns, metricsLine, push, summarise, type MonitorSummary, type Sample } from './series.js';

export interface MonitorOptions {
  intervalMs: number;
  /** The job's live processes now (the tree walk of AttemptState). */
  pids: () => number[];
  /** Seconds since the attempt's start: the record's clock. */
  clock: () => number;
  /** --metrics: every sample as a JSON line; appended when `append`. */
  metricsFile?: string;
  append?: boolean;
  attempt: number;
  /** A sample or the metrics file failed: reported once, sampling goes on. */
  onError?: (what: string, error: unknown) => void;
}

/** Defined by scripts/esbuild-pidusage.mjs in bundles where pidusage-cpu.cjs replaces pidusage's getconf helper. */
declare const __KICKSTART_PIDUSAGE_NO_GETCONF__: boolean | undefined;
const NO_GETCONF = typeof __KICKSTART_PIDUSAGE_NO_GETCONF__ === 'boolean' && __KICKSTART_PIDUSAGE_NO_GETCONF__;

// pidusage and fs/promises are loaded at the first tick, not with the CLI:
// most jobs are shorter than one interval and never need them (fs/promises
// alone pulls in a dozen internal modules, a few ms of every start).
let pidusageModule: Promise<typeof import('pidusage').default> | undefined;
const loadPidusage = () => (pidusageModule ??= import('pidusage').then((m) => m.default));
const openFile = async (path: string, flags: string): Promise<FileHandle> => (await import('node:fs/promises')).open(path, flags);

let warm: Promise<void> | undefined;

/**
 * pidusage's first call runs `getconf` twice as child processes. Under the
 * CLI's wait4(-1) reaper such a child would be reaped behind libuv's back
 * and the call would never return, so unbundled code runs it once before any
 * job starts. The bundles start no child process: nothing to wait for.
 */
export function warmUp(): Promise<void> {
  if (NO_GETCONF) return Promise.resolve();
  warm ??= loadPidusage()
    .then((pidusage) => pidusage(process.pid))
    .then(
      () => undefined,
      () => undefined,
    );
  return warm;
}

/**
 * Samples the job tree every interval: CPU, summed RSS, process count. A
 * tick reads /proc (the children lists, then pidusage's kept-open stat
 * files) and never overlaps the previous one, which is skipped when still
 * running; the timer is unref'd, so the monitor never holds the job or
 * kickstart up.
 */
export class Monitor {
  private readonly columns = emptyColumns();
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;
  private cpuTimes = new Map<number, number>();
  private lastT: number;
  private metrics?: Promise<FileHandle | undefined>;
  private failed = new Set<string>();
  // pidusage keeps /proc/PID/stat open per pid until it has not been asked for this long.
  private readonly maxage: number;

  constructor(private readonly o: MonitorOptions) {
    this.lastT = o.clock();
    this.maxage = Math.max(2000, o.intervalMs * 3);
  }

  start(): void {
    if (this.o.metricsFile) {
      this.metrics = openFile(this.o.metricsFile, this.o.append ? 'a' : 'w').catch((e) => {
        this.fail('metrics', e);
        return undefined;
      });
    }
    this.lastT = this.o.clock();
    this.timer = setInterval(() => {
      if (!this.busy) this.busy = this.tick().finally(() => (this.busy = undefined));
    }, this.o.intervalMs);
    this.timer.unref();
  }

  /** Stops sampling, lets a running tick finish, closes --metrics; the record's block. */
  async stop(): Promise<MonitorSummary | undefined> {
    clearInterval(this.timer);
    await this.busy;
    const fh = await this.metrics;
    await fh?.close().catch((e) => this.fail('metrics', e));
    return summarise(this.columns, this.o.intervalMs);
  }

  private async tick(): Promise<void> {
    const pids = this.o.pids();
    if (pids.length === 0) return;
    let stats: Record<string, PidStatus | undefined>;
    try {
      const pidusage = await loadPidusage();
      stats = await pidusage(pids, { maxage: this.maxage });
    } catch (e) {
      // A lone process that ended between the walk and the read: nothing to sample.
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ESRCH') this.fail('sample', e);
      return;
    }
    const t = this.o.clock();
    const readings: CpuReading[] = [];
    let rss = 0;
    for (const pid of pids) {
      const s = stats[pid];
      if (!s) continue;
      readings.push({ pid, ctime: s.ctime, elapsed: s.elapsed });
      rss += s.memory;
    }
    if (readings.length === 0) return;
    const { cpu, next } = treeCpu(this.cpuTimes, readings, (t - this.lastT) * 1000);
    this.cpuTimes = next;
    this.lastT = t;
    const sample: Sample = { t: Math.round(t * 1000) / 1000, cpu, rss, procs: readings.length };
    push(this.columns, sample);
    const fh = await this.metrics;
    if (fh) await fh.write(metricsLine(sample, this.o.attempt)).catch((e) => this.fail('metrics', e));
  }

  private fail(what: string, error: unknown): void {
    if (this.failed.has(what)) return;
    this.failed.add(what);
    this.o.onError?.(what, error);
  }
}
