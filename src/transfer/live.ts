import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../log.js';
import type { LiveSummary, LiveUpload, TransferSummary } from '../record/types.js';
import type { Collected } from './collect.js';
import { decided, LivePolicy, settleFor, type Snapshot } from './live-policy.js';
import { blockedBy, summaryLine, WARN_AFTER, Windows } from './live-windows.js';
import { snapshot } from './live-snapshot.js';

/**
 * Live shipping (--checkpoint-interval): while the main job runs, watch the
 * declared checkpoint paths and ship each new complete version as a
 * generation, through the same stage-out as after the job. The decisions are
 * live-policy.ts's; this module only looks at files, keeps time and runs the
 * uploads: one in flight at most. A version that becomes complete while one
 * is in flight waits; when the upload ends, the newest complete version goes
 * next and the ones in between are never sent (latest wins). Never silent:
 * each interval that goes by without an upload while something changed is
 * counted with its reason, and a run of them is logged as a warning that
 * names what blocks.
 */

export interface LiveOptions {
  /** As given by --checkpoint, relative to cwd. */
  checkpoints: string[];
  /** As given by --checkpoint-with: never a trigger, shipped along. */
  companions?: string[];
  cwd: string;
  intervalMs: number;
  /** Default: settleFor(intervalMs). */
  settleMs?: number;
  /** With --checkpoint-signal: asks the job for a checkpoint (sends the signal to its tree). */
  request?: () => void;
  /**
   * One stage-out of the files as they are now, narrowed by `pick` to what
   * was decided complete (a checkpoint file that appeared since may be half
   * written; its turn comes).
   */
  ship: (signal: AbortSignal, pick: (found: Collected) => Collected) => Promise<TransferSummary>;
  /** Seconds since the attempt's start, for the record. */
  clock: () => number;
  logger: Logger;
  /** Called as each upload ends, with what the record gets. */
  onUpload?: (u: LiveUpload) => void;
  /** How long stop() lets an upload in flight finish before it aborts it; default 1 s. */
  stopGraceMs?: number;
}

export interface LiveReport {
  uploads: LiveUpload[];
  summary: LiveSummary;
}

export interface LiveRun {
  /** Stops watching; lets an upload in flight finish (or aborts it after the grace); lists every upload. */
  stop(): Promise<LiveReport>;
}



export async function startLive(o: LiveOptions): Promise<LiveRun> {
  const live = new Live(o);
  await live.begin();
  return live;
}

class Live implements LiveRun {
  private policy!: LivePolicy;
  private readonly uploads: LiveUpload[] = [];
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly pollMs: number;
  private timer?: NodeJS.Timeout;
  private dueAt = Number.POSITIVE_INFINITY;
  private ticking = false;
  private again = false;
  private stopped = false;
  private inFlight?: Promise<void>;
  private abort?: AbortController;
  private superseded = false;
  private readonly windows = new Windows();
  private t0 = 0;

  constructor(private readonly o: LiveOptions) {
    // The poll is the fallback for lost or unsupported events (NFS, inotify limits).
    this.pollMs = Math.min(1000, Math.max(25, Math.round(o.intervalMs / 4)));
  }

  async begin(): Promise<void> {
    const now = performance.now();
    this.t0 = now;
    let base: Snapshot = new Map();
    try {
      const s = await snapshot(this.o.checkpoints, this.o.cwd, this.o.companions);
      base = s.snap;
      this.syncWatchers(s.dirs);
    } catch (err) {
      this.o.logger.warn({ error: String(err) }, 'live checkpoints: cannot read the checkpoint paths yet; polling');
    }
    const settleMs = this.o.settleMs ?? settleFor(this.o.intervalMs);
    this.policy = new LivePolicy(
      { intervalMs: this.o.intervalMs, settleMs, requestWaitMs: this.o.request ? Math.max(settleMs * 2, this.o.intervalMs) : undefined },
      base,
      now,
    );
    this.schedule(this.pollMs);
  }

  async stop(): Promise<LiveReport> {
    this.close(performance.now());
    this.windows.end();
    this.stopped = true;
    clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    const pending = this.inFlight;
    if (pending) {
      let timer: NodeJS.Timeout | undefined;
      const late = await Promise.race([
        pending.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.o.stopGraceMs ?? 1000))),
      ]);
      clearTimeout(timer);
      if (late) {
        // The final stage-out ships newer files anyway: this upload's leftovers are never visible and get pruned.
        this.superseded = true;
        this.abort?.abort();
        await pending;
      }
    }
    const summary = this.windows.summary(this.o.intervalMs, this.uploads);
    if (this.uploads.length > 0 || summary.skipped) {
      this.o.logger.info({ uploads: this.uploads.length, published: summary.shipped, intervals: summary.intervals, skipped: summary.skipped }, `live checkpoints: ${summaryLine(summary)}`);
    }
    return { uploads: this.uploads, summary };
  }

  /** Counts the intervals that ended by `now`; warns once per run of skipped ones. */
  private close(now: number): void {
    const warn = this.windows.advance(Math.floor((now - this.t0) / this.o.intervalMs));
    if (!warn) return;
    const { reason, file } = warn;
    this.o.logger.warn({ intervals: WARN_AFTER, reason, file }, `live checkpoints: nothing shipped for ${WARN_AFTER} intervals: ${blockedBy(warn)}`);
  }

  /** Runs a tick in `ms`, unless one is due sooner: a burst of events must not keep pushing it back. */
  private schedule(ms: number): void {
    if (this.stopped) return;
    const at = performance.now() + Math.max(0, ms);
    if (this.timer && at >= this.dueAt) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Number.POSITIVE_INFINITY;
      void this.tick();
    }, Math.max(0, ms));
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    let next = this.pollMs;
    try {
      if (this.policy.requestDue(performance.now()) && this.o.request) {
        this.o.request();
        this.policy.requested(performance.now());
      }
      const { snap, dirs } = await snapshot(this.o.checkpoints, this.o.cwd, this.o.companions);
      if (this.stopped) return;
      this.syncWatchers(dirs);
      const now = performance.now();
      this.close(now);
      const d = this.policy.observe(snap, now);
      if (d.kind === 'ship' && !this.inFlight) this.upload(d.snap, now);
      else if (d.kind === 'ship') this.windows.note('in_flight');
      else if (d.kind === 'wait' && d.why !== 'interval') this.windows.note(d.why, d.file);
      else if (![...snap.values()].some((s) => !s.companion)) this.windows.note('nothing');
      if (d.kind === 'wait') next = Math.min(next, d.wakeInMs + 1);
      const req = this.policy.requestInMs(now);
      if (req !== undefined) next = Math.min(next, req + 1);
    } catch (err) {
      this.windows.note('error', undefined, `cannot read the checkpoint paths: ${String(err)}`);
      this.o.logger.debug({ error: String(err) }, 'live checkpoints: cannot read the checkpoint paths; trying again');
    } finally {
      this.ticking = false;
      if (this.again) {
        this.again = false;
        next = 0;
      }
      this.schedule(next);
    }
  }

  private upload(snap: Snapshot, now: number): void {
    this.policy.shipping(snap, now);
    this.windows.started();
    const at = Math.round(this.o.clock() * 1000) / 1000;
    const ac = new AbortController();
    this.abort = ac;
    this.inFlight = this.o
      .ship(ac.signal, (found) => decided(found, snap))
      .catch((err): TransferSummary => ({ direction: 'out', result: 'failed', url: '', files: [], bytes: 0, duration: 0, attempts: 0, error: String(err) }))
      .then((s) => {
        const superseded = this.superseded && s.result === 'failed';
        const u: LiveUpload = {
          ...(s.generation !== undefined ? { generation: s.generation } : {}),
          result: superseded ? 'superseded' : s.result,
          bytes: s.bytes,
          at,
          duration: s.duration,
          ...(s.error && !superseded ? { error: s.error } : {}),
          ...(s.reread ? { reread: s.reread } : {}),
          ...(s.dedup && s.result === 'ok' ? { bytes_new: s.dedup.bytes_new } : {}),
        };
        this.uploads.push(u);
        this.o.onUpload?.(u);
        this.policy.finished(snap, s.result === 'ok' || s.result === 'unchanged');
        if (s.result === 'failed' && !superseded) {
          this.windows.note('error', undefined, s.error);
          this.o.logger.warn({ error: s.error }, 'live checkpoints: an upload failed; the next change is shipped');
        }
        else this.o.logger.debug({ generation: s.generation, bytes: s.bytes, at }, `live checkpoints: ${u.result}`);
        this.inFlight = undefined;
        // A version that completed meanwhile goes next.
        this.schedule(0);
      });
  }

  private syncWatchers(dirs: string[]): void {
    if (this.stopped) return;
    const want = new Set(dirs);
    for (const [d, w] of this.watchers) {
      if (!want.has(d)) {
        w.close();
        this.watchers.delete(d);
      }
    }
    for (const d of want) {
      if (this.watchers.has(d)) continue;
      try {
        const w = watch(d, { persistent: false }, () => this.schedule(5));
        // A watch that breaks (directory removed, inotify limit) leaves the poll.
        w.on('error', () => {
          w.close();
          if (this.watchers.get(d) === w) this.watchers.delete(d);
        });
        this.watchers.set(d, w);
      } catch {
        // ENOENT, ENOSPC: the poll covers it.
      }
    }
  }
}
