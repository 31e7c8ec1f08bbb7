import type { Logger } from '../log.js';

/**
 * Transfer progress: a bar on stderr when it is a terminal and the transfer
 * has lasted more than `delayMs`; otherwise an info log line every
 * `logEveryMs`. Costs one counter addition per chunk; timers are unref'd.
 */
export interface Progress {
  add(bytes: number): void;
  /** Clears the bar (if drawn). */
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  bar: boolean;
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  logger: Logger;
  delayMs?: number;
  intervalMs?: number;
  logEveryMs?: number;
  now?: () => number;
}

export function startProgress(o: ProgressOptions): Progress {
  const now = o.now ?? Date.now;
  const t0 = now();
  const delay = o.delayMs ?? 2000;
  const logEvery = o.logEveryMs ?? 10_000;
  const useBar = o.bar && o.stream.isTTY === true;
  let done = 0;
  let drawn = false;
  let lastLog = t0;
  const tick = () => {
    const t = now();
    if (t - t0 < delay) return;
    if (useBar) {
      o.stream.write(`\r${renderBar({ label: o.label, done, total: o.total, elapsedMs: t - t0, width: o.stream.columns ?? 80 })}`);
      drawn = true;
    } else if (t - lastLog >= logEvery) {
      lastLog = t;
      o.logger.info({ bytes: done, total: o.total }, `${o.label}: ${formatBytes(done)}${o.total ? ` of ${formatBytes(o.total)}` : ''} in ${((t - t0) / 1000).toFixed(0)} s`);
    }
  };
  const timer = setInterval(tick, useBar ? (o.intervalMs ?? 200) : Math.min(logEvery, 1000));
  timer.unref();
  return {
    add(n) {
      done += n;
    },
    stop() {
      clearInterval(timer);
      if (drawn) o.stream.write('\r\x1b[K');
    },
  };
}

/** Pure: one line such as "stage-out  [#####.....]  50%  512.0 MiB/1.0 GiB  210 MiB/s  ETA 3s". */
export function renderBar(a: { label: string; done: number; total?: number; elapsedMs: number; width: number }): string {
  const rate = a.elapsedMs > 0 ? (a.done * 1000) / a.elapsedMs : 0;
  const speed = `${formatBytes(rate)}/s`;
  if (!a.total) return `${a.label}  ${formatBytes(a.done)}  ${speed}`.slice(0, a.width - 1);
  const frac = Math.min(1, a.done / a.total);
  const eta = rate > 0 ? Math.max(0, Math.round((a.total - a.done) / rate)) : undefined;
  const tail = `${String(Math.floor(frac * 100)).padStart(3)}%  ${formatBytes(a.done)}/${formatBytes(a.total)}  ${speed}${eta !== undefined ? `  ETA ${eta}s` : ''}`;
  const room = Math.max(0, Math.min(40, a.width - 1 - a.label.length - tail.length - 6));
  const fill = Math.round(frac * room);
  const bar = room > 0 ? `  [${'#'.repeat(fill)}${'.'.repeat(room - fill)}]` : '';
  return `${a.label}${bar}  ${tail}`.slice(0, a.width - 1);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}
