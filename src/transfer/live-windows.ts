import type { LiveSkip, LiveSummary, LiveUpload } from '../record/types.js';

/** Intervals in a row without an upload, while something changed, before the warning. */
export const WARN_AFTER = 3;

/** Priority of skip reasons within one interval: the most telling one is kept. */
const RANK: Record<LiveSkip, number> = { nothing: 0, settling: 1, request: 2, in_flight: 3, error: 4 };

/**
 * Pure bookkeeping of intervals, counted from the start of live shipping:
 * one with an upload started is shipped; one without, for the most telling
 * reason seen in it; one with nothing pending is neither.
 */
export class Windows {
  private index = 0;
  private started_ = false;
  private reason?: { reason: LiveSkip; file?: string; error?: string };
  private last?: { reason: LiveSkip; file?: string };
  private intervals = 0;
  private readonly skipped: Partial<Record<LiveSkip, number>> = {};
  private streak = 0;

  note(reason: LiveSkip, file?: string, error?: string): void {
    if (this.reason && RANK[this.reason.reason] > RANK[reason]) return;
    this.reason = { reason, file, error };
  }

  started(): void {
    this.started_ = true;
  }

  /** Closes every interval before `index`; returns what blocks when a run of skipped ones reaches WARN_AFTER. */
  advance(index: number): { reason: LiveSkip; file?: string; error?: string } | undefined {
    let warn;
    while (this.index < index) {
      this.intervals++;
      const r = this.started_ ? undefined : this.reason;
      if (r) this.skipped[r.reason] = (this.skipped[r.reason] ?? 0) + 1;
      // No checkpoint at all is nothing pending: counted, never warned about.
      this.streak = r && r.reason !== 'nothing' ? this.streak + 1 : 0;
      if (this.streak === WARN_AFTER) warn = r;
      this.last = r;
      this.index++;
      this.started_ = false;
      this.reason = undefined;
    }
    return warn;
  }

  /**
   * The job ended: the interval it ended in counts too when an upload started
   * in it, so `shipped` never exceeds `intervals` (uploads are one interval
   * apart, the intervals are counted from the start). A partial interval with
   * only a skip reason is left out: it was cut short, not skipped.
   */
  end(): void {
    if (!this.started_) return;
    this.intervals++;
    this.started_ = false;
    this.reason = undefined;
  }

  summary(intervalMs: number, uploads: LiveUpload[]): LiveSummary {
    const count = (r: LiveUpload['result']) => uploads.filter((u) => u.result === r).length;
    const reread = uploads.reduce((n, u) => n + (u.reread ?? 0), 0);
    const sent = uploads.filter((u) => u.bytes_new !== undefined);
    return {
      interval: intervalMs / 1000,
      intervals: this.intervals,
      shipped: count('ok'),
      unchanged: count('unchanged'),
      failed: count('failed'),
      ...(Object.keys(this.skipped).length > 0 ? { skipped: { ...this.skipped } } : {}),
      ...(this.last?.file && this.last.reason === 'settling' ? { waiting_on: this.last.file } : {}),
      ...(reread > 0 ? { reread } : {}),
      ...(sent.length > 0 ? { bytes_new: sent.reduce((n, u) => n + u.bytes_new!, 0) } : {}),
    };
  }
}

/** The warning's reason: what blocks live shipping, and what to do about it. */
export function blockedBy(b: { reason: LiveSkip; file?: string; error?: string }): string {
  switch (b.reason) {
    case 'settling':
      return `waiting for '${b.file}' to stop changing; if it is only ever appended to, declare it with --checkpoint-with ${b.file}`;
    case 'in_flight':
      return 'an upload is still in flight: the staging site is slower than --checkpoint-interval';
    case 'request':
      return 'waiting for the job to answer --checkpoint-signal';
    default:
      return `the last upload failed: ${b.error}`;
  }
}

/** The closing log line: generations published, intervals, skipped ones by reason. */
export function summaryLine(s: LiveSummary): string {
  const skipped = Object.entries(s.skipped ?? {});
  const n = skipped.reduce((a, [, v]) => a + (v ?? 0), 0);
  return (
    `published ${s.shipped} generation(s) in ${s.intervals} interval(s) while the job ran` +
    (n > 0 ? `; ${n} skipped (${skipped.map(([k, v]) => `${k.replace('_', ' ')} ${v}`).join(', ')})` : '')
  );
}
