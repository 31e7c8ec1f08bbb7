/**
 * What `show` says about each attempt, taken from a record (pure). Records
 * written by pegasus-kickstart have no `kickstart:` block: what they lack
 * is left out, never guessed.
 */
import type { JobRecord, JobStatus, TransferSummary } from '../record/types.js';
import type { Read, RecordRead } from './load.js';
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

export function attemptView(r: RecordRead, index: number): AttemptView {
  const ks = typeof r.kickstart === 'object' && r.kickstart !== null ? r.kickstart : {};
  const main = r.mainjob;
  const monitor = ks.monitor;
  const signals: Marker[] = (Array.isArray(ks.signals) ? ks.signals : []).flatMap((s) => {
    const at = num(s?.at);
    if (at === undefined) return [];
    return [{
      at,
      kind: 'signal' as const,
      label: String(s.signal),
      detail: `${s.signal} at ${secs(at)} (${String(s.reason ?? '').replace(/-/g, ' ')}, ${s.processes} process${s.processes === 1 ? '' : 'es'})`,
    }];
  });
  const uploads: Marker[] = [];
  for (const u of Array.isArray(ks.live_uploads) ? ks.live_uploads : []) {
    const at = num(u?.at);
    if (at === undefined || u.result !== 'ok') continue;
    uploads.push({ at, kind: 'upload', label: u.generation !== undefined ? `gen ${u.generation}` : 'upload', detail: `live upload of generation ${u.generation} at ${secs(at)} (${bytes(u.bytes)}, ${secs(u.duration)})` });
  }
  const out = ks.stage_out;
  const outAt = num(out?.at);
  if (out && out.result === 'ok' && outAt !== undefined) {
    uploads.push({ at: outAt, kind: 'upload', label: `gen ${out.generation}`, detail: `stage-out of generation ${out.generation} at ${secs(outAt)} (${bytes(out.bytes)}, ${secs(out.duration)})` });
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
      .filter((u) => typeof u?.message === 'string')
      .map((u) => ({ attempt: num(u.attempt), message: String(u.message) })),
    peakRss: num(monitor?.peak_rss) ?? kib(main?.usage?.maxrss),
    peakCpu: num(monitor?.peak_cpu),
    peakProcs: num(monitor?.peak_procs),
    interval: num(monitor?.interval),
    samples: num(monitor?.samples),
    series: seriesOf(t, numbers(series?.cpu), numbers(series?.rss), numbers(series?.procs)),
  };
}

function seriesOf(t?: number[], cpu?: number[], rss?: number[], procs?: number[]): Series | undefined {
  return t && cpu?.length === t.length && rss?.length === t.length ? { t, cpu, rss, procs: procs ?? [] } : undefined;
}

/** getrusage's maxrss (KiB) in bytes. */
function kib(n: unknown): number | undefined {
  const k = num(n);
  return k === undefined ? undefined : k * 1024;
}

function commandOf(r: RecordRead): string {
  const main = r.mainjob;
  if (!main) return r.transformation ?? '(no main job)';
  const exe = main.executable?.file_name ?? '';
  const args: unknown[] = Array.isArray(main.argument_vector) ? main.argument_vector : [];
  return [exe, ...args.map(String)].map(shellWord).join(' ');
}

function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function pegasusOutcome(main: Read<JobRecord> | undefined): string {
  const s: StatusRead | undefined = main?.status;
  if (!s) return 'not run';
  if (s.regular_exitcode === 0) return 'completed';
  return 'failed';
}

/** A status read from a file: the keys of any of JobStatus's shapes. */
type StatusRead = Read<{ [K in keyof AllOf<JobStatus>]: AllOf<JobStatus>[K] }>;
type AllOf<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

function endedText(s: StatusRead | undefined): string {
  if (!s) return 'unknown';
  if (s.regular_exitcode !== undefined) return `exit ${s.regular_exitcode}`;
  if (s.signalled_signal !== undefined) return `signal ${s.signalled_signal}${s.singalled_name ? ` (${s.singalled_name})` : ''}`;
  if (s.failure_error !== undefined) return `did not start: ${String(s.failure_error).replace(/\s+/g, ' ')}`;
  return `raw status ${s.raw}`;
}

function transferText(t: Read<TransferSummary> | undefined, dir: 'in' | 'out', live = 0): string | undefined {
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

/** Seconds for people; '?' for what a record lacks. */
export function secs(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '?';
  if (s < 10) return `${Math.round(s * 100) / 100} s`;
  if (s < 120) return `${Math.round(s * 10) / 10} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** Bytes for people; '?' for what a record lacks. */
export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}
