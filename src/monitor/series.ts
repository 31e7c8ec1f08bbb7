/**
 * The resource series as plain data, and its summary for the record. Pure:
 * no timers, no /proc. The record keeps at most MAX_POINTS points so a
 * two-day job does not write a megabyte of YAML; --metrics has them all.
 */

export interface Sample {
  /** Seconds since the attempt's start, the clock of the record's `signals`. */
  t: number;
  /** CPU % of one core, summed over the tree (200 = two cores busy). */
  cpu: number;
  /** Resident memory summed over the tree, bytes (shared pages count once per process). */
  rss: number;
  procs: number;
}

import type { MonitorSummary, SeriesColumns } from '../record/types.js';

export type { MonitorSummary, SeriesColumns };

export const MAX_POINTS = 600;

export function emptyColumns(): SeriesColumns {
  return { t: [], cpu: [], rss: [], procs: [] };
}

export function push(c: SeriesColumns, s: Sample): void {
  c.t.push(s.t);
  c.cpu.push(s.cpu);
  c.rss.push(s.rss);
  c.procs.push(s.procs);
}

/**
 * At most `max` points: consecutive samples are grouped into equal buckets
 * and each bucket keeps its first time and its maxima, so peaks survive.
 */
export function downsample(c: SeriesColumns, max = MAX_POINTS): SeriesColumns {
  const n = c.t.length;
  if (n <= max) return { t: [...c.t], cpu: [...c.cpu], rss: [...c.rss], procs: [...c.procs] };
  const out = emptyColumns();
  for (let b = 0; b < max; b++) {
    const from = Math.floor((b * n) / max);
    const to = Math.floor(((b + 1) * n) / max);
    out.t.push(c.t[from]);
    out.cpu.push(maxOf(c.cpu, from, to));
    out.rss.push(maxOf(c.rss, from, to));
    out.procs.push(maxOf(c.procs, from, to));
  }
  return out;
}

function maxOf(a: number[], from: number, to: number): number {
  let m = -Infinity;
  for (let i = from; i < to; i++) if (a[i] > m) m = a[i];
  return m;
}

/** The record's `monitor:` block; undefined when no sample was taken. */
export function summarise(c: SeriesColumns, intervalMs: number, max = MAX_POINTS): MonitorSummary | undefined {
  const n = c.t.length;
  if (n === 0) return undefined;
  return {
    interval: intervalMs / 1000,
    samples: n,
    peak_cpu: maxOf(c.cpu, 0, n),
    peak_rss: maxOf(c.rss, 0, n),
    peak_procs: maxOf(c.procs, 0, n),
    series: downsample(c, max),
  };
}

/** One --metrics line. */
export function metricsLine(s: Sample, attempt: number): string {
  return `{"t":${s.t},"cpu":${s.cpu},"rss":${s.rss},"procs":${s.procs},"attempt":${attempt}}\n`;
}
