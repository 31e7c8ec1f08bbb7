/**
 * What `show` says about each attempt, taken from a record (pure). Records
 * written by pegasus-kickstart have no `kickstart:` block: what they lack
 * is left out, never guessed.
 */
import type { RecordLike } from './load.js';
import { liveText } from './live.js';

export interface Marker {
  /** Seconds since the record's start. */
  at: number;
  kind: 'signal' | 'upload';
  /** SIGTERM, SIGKILL, … or the upload's label ("gen 3"). */
  label: string;
  detail: string;
}

export interface Series {
  t: number[];
  cpu: number[];
  rss: number[];
  procs: number[];
}

export interface AttemptView {
  /** Position in the file, from 1. */
  index: number;
  attempt?: number;
  command: string;
  start?: string;
  duration: number;
  outcome: string;
  exitcode?: number;
  /** The main job's end: "exit 0", "signal 15 (Terminated)", "failed: …". */
  ended: string;
  signals: Marker[];
  uploads: Marker[];
  checkpointIn?: string;
  checkpointOut?: string;
  /** Live shipping's intervals: shipped, skipped and why. */
  live?: string;
  peakRss?: number;
  peakCpu?: number;
  peakProcs?: number;
  interval?: number;
  samples?: number;
  series?: Series;
  /** Attempts before this one that started and never wrote a record (start markers): the gaps. */
  unfinished: { attempt?: number; message: string }[];
}

const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const numbers = (x: unknown): number[] | undefined => (Array.isArray(x) && x.every((v) => typeof v === 'number') ? x : undefined);

export function attemptView(r: RecordLike, index: number): AttemptView {
  const ks: RecordLike = typeof r.kickstart === 'object' && r.kickstart !== null ? r.kickstart : {};
  const main: RecordLike | undefined = r.mainjob;
  const monitor: RecordLike | undefined = ks.monitor;
  const signals: Marker[] = (Array.isArray(ks.signals) ? ks.signals : [])
    .filter((s: RecordLike) => num(s?.at) !== undefined)
    .map((s: RecordLike) => ({
      at: s.at,
      kind: 'signal' as const,
      label: String(s.signal),
      detail: `${s.signal} at ${secs(s.at)} (${String(s.reason ?? '').replace(/-/g, ' ')}, ${s.processes} process${s.processes === 1 ? '' : 'es'})`,
    }));
  const uploads: Marker[] = [];
  for (const u of Array.isArray(ks.live_uploads) ? ks.live_uploads : []) {
    if (num(u?.at) === undefined || u.result !== 'ok') continue;
    uploads.push({ at: u.at, kind: 'upload', label: u.generation !== undefined ? `gen ${u.generation}` : 'upload', detail: `live upload of generation ${u.generation} at ${secs(u.at)} (${bytes(u.bytes)}, ${secs(u.duration)})` });
  }
  const out: RecordLike | undefined = ks.stage_out;
  if (out && out.result === 'ok' && num(out.at) !== undefined) {
    uploads.push({ at: out.at, kind: 'upload', label: `gen ${out.generation}`, detail: `stage-out of generation ${out.generation} at ${secs(out.at)} (${bytes(out.bytes)}, ${secs(out.duration)})` });
  }
  const series = monitor?.series;
  const t = numbers(series?.t);
  return {
    index,
    attempt: num(ks.attempt),
    command: commandOf(r),
    start: typeof r.start === 'string' ? r.start : undefined,
    duration: num(r.duration) ?? 0,
    outcome: typeof ks.outcome === 'string' ? ks.outcome : pegasusOutcome(main),
    exitcode: num(ks.exitcode),
    ended: main ? endedText(main.status) : 'the main job did not run',
    signals,
    uploads: uploads.sort((a, b) => a.at - b.at),
    checkpointIn: transferText(ks.stage_in, 'in'),
    checkpointOut: transferText(ks.stage_out, 'out', uploads.length - (out?.result === 'ok' ? 1 : 0)),
    live: liveText(ks.live, bytes),
    unfinished: (Array.isArray(ks.unfinished) ? ks.unfinished : [])
      .filter((u: RecordLike) => typeof u?.message === 'string')
      .map((u: RecordLike) => ({ attempt: num(u.attempt), message: String(u.message) })),
    peakRss: num(monitor?.peak_rss) ?? (num(main?.usage?.maxrss) !== undefined ? main!.usage.maxrss * 1024 : undefined),
    peakCpu: num(monitor?.peak_cpu),
    peakProcs: num(monitor?.peak_procs),
    interval: num(monitor?.interval),
    samples: num(monitor?.samples),
    series:
      t && numbers(series.cpu)?.length === t.length && numbers(series.rss)?.length === t.length
        ? { t, cpu: series.cpu, rss: series.rss, procs: numbers(series.procs) ?? [] }
        : undefined,
  };
}

function commandOf(r: RecordLike): string {
  const main = r.mainjob;
  if (!main) return r.transformation ?? '(no main job)';
  const exe = main.executable?.file_name ?? '';
  const args: unknown[] = Array.isArray(main.argument_vector) ? main.argument_vector : [];
  return [exe, ...args.map(String)].map(shellWord).join(' ');
}

function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function pegasusOutcome(main: RecordLike | undefined): string {
  const s = main?.status;
  if (!s) return 'not run';
  if (s.regular_exitcode === 0) return 'completed';
  return 'failed';
}

function endedText(s: RecordLike | undefined): string {
  if (!s) return 'unknown';
  if (s.regular_exitcode !== undefined) return `exit ${s.regular_exitcode}`;
  if (s.signalled_signal !== undefined) return `signal ${s.signalled_signal}${s.singalled_name ? ` (${s.singalled_name})` : ''}`;
  if (s.failure_error !== undefined) return `did not start: ${String(s.failure_error).replace(/\s+/g, ' ')}`;
  return `raw status ${s.raw}`;
}

function transferText(t: RecordLike | undefined, dir: 'in' | 'out', live = 0): string | undefined {
  const liveText = live > 0 ? `${live} live upload${live === 1 ? '' : 's'}` : '';
  if (!t) return liveText || undefined;
  let main: string;
  if (t.result === 'ok') {
    const files = Array.isArray(t.files) ? t.files.length : 0;
    main = `generation ${t.generation} ${dir === 'in' ? 'restored' : 'shipped'} (${files} file${files === 1 ? '' : 's'}, ${bytes(t.bytes)}, ${secs(t.duration)})`;
    if (Array.isArray(t.rolled_back) && t.rolled_back.length) main += `, passed over ${t.rolled_back.join(', ')}`;
  } else if (t.result === 'none') {
    main = dir === 'in' ? 'none (first run)' : 'nothing to ship';
  } else if (t.result === 'unchanged') {
    main = `unchanged: the files are generation ${t.generation}, nothing new published`;
  } else {
    main = `failed: ${t.error ?? 'unknown error'}`;
  }
  return liveText ? `${main}; ${liveText}` : main;
}

export function secs(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 10) return `${Math.round(s * 100) / 100} s`;
  if (s < 120) return `${Math.round(s * 10) / 10} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}
