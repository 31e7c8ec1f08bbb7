import type { Collected } from './collect.js';
import type { EntryType } from './manifest.js';

/**
 * Pure: when a checkpoint that changes while the job runs is complete and
 * may be shipped. No clocks, no file system: the caller passes snapshots of
 * the declared paths and the time, and acts on the decision.
 *
 * A changed file is complete when
 *  - it was replaced (a new inode where another one was seen): an atomic
 *    rename publishes a file that was written whole before; or
 *  - it has been unchanged (inode, size, mtime) for the settle time: a
 *    file rewritten in place is left alone while it is being written.
 * A set is shipped when a changed entry is complete and none of the files
 * shipped before is still being rewritten, at most once per interval. A new
 * file matched by a glob (one per period) that is still being written is
 * left out, not waited for: its turn comes once it is complete. Directories
 * neither trigger nor wait: their mtime moves with every temp file. A set that did not change since the last shipment is not
 * shipped again. Companions (--checkpoint-with) never count as a change:
 * they are append-only and ride along with the next checkpoint.
 */

export interface FileState {
  type: EntryType;
  ino: number;
  /** With ino, tells a new file from the old one (inode numbers are reused). */
  birthtimeMs?: number;
  size: number;
  mtimeMs: number;
  companion?: boolean;
  /** Matched by a glob (see CollectedEntry.family). */
  family?: boolean;
}

/** Every entry the declared checkpoint paths resolve to, by manifest path. */
export type Snapshot = ReadonlyMap<string, FileState>;

export interface LivePolicyOptions {
  /** At most one shipment (and one checkpoint request) per this many ms. */
  intervalMs: number;
  /** A file rewritten in place is complete once unchanged this long. */
  settleMs: number;
  /**
   * With --checkpoint-signal: after a request, hold shipping until the files
   * changed after it (and are complete), or this long at most.
   */
  requestWaitMs?: number;
}

export type Decision =
  | { kind: 'idle' }
  | { kind: 'wait'; why: 'settling' | 'interval' | 'request'; wakeInMs: number; /** settling: the file that settles last. */ file?: string }
  /** `snap`: what to ship, the observed one without new glob matches still being written. */
  | { kind: 'ship'; snap: Snapshot };

interface Seen {
  state: FileState;
  /** When this state was first observed. */
  since: number;
  /** The path held another inode when this state was first observed. */
  replaced: boolean;
}

export function sameState(a: FileState | undefined, b: FileState | undefined): boolean {
  return !!a && !!b && a.type === b.type && a.ino === b.ino && a.birthtimeMs === b.birthtimeMs && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  if (a.size !== b.size) return false;
  for (const [p, s] of a) if (!sameState(s, b.get(p))) return false;
  return true;
}

/**
 * The settle time for an interval: half of it, within 100 ms and 2 s — long
 * enough to span the pauses of a writer that flushes in chunks, short enough
 * not to miss most intervals.
 */
export function settleFor(intervalMs: number): number {
  return Math.min(2000, Math.max(100, Math.round(intervalMs / 2)));
}

export class LivePolicy {
  /** What the last shipment handed over (the baseline at first: what stage-in restored). */
  private shipped: Snapshot;
  /** The last shipment that reached the site: a failed one falls back to it. */
  private confirmed: Snapshot;
  private readonly seen = new Map<string, Seen>();
  private lastShipAt = Number.NEGATIVE_INFINITY;
  private nextRequestAt: number;
  private request?: { at: number; until: number };

  constructor(
    private readonly o: LivePolicyOptions,
    baseline: Snapshot,
    startedAt: number,
  ) {
    this.shipped = baseline;
    this.confirmed = baseline;
    for (const [p, state] of baseline) this.seen.set(p, { state, since: startedAt, replaced: false });
    this.nextRequestAt = startedAt + o.intervalMs;
  }

  observe(snap: Snapshot, now: number): Decision {
    this.remember(snap, now);
    if (snap.size === 0) return { kind: 'idle' };
    let changedSince = Number.NEGATIVE_INFINITY;
    let settlesAt = Number.NEGATIVE_INFINITY;
    let blocking: string | undefined;
    let ready = false;
    const leave: string[] = [];
    let pending: { file: string; at: number } | undefined;
    for (const [p, state] of snap) {
      if (state.companion || state.type === 'dir' || sameState(state, this.shipped.get(p))) continue;
      const s = this.seen.get(p)!;
      const at = s.since + this.o.settleMs;
      if (s.replaced || now >= at) {
        ready = true;
        changedSince = Math.max(changedSince, s.since);
      } else if (state.family && !this.shipped.has(p)) {
        leave.push(p);
        if (!pending || at < pending.at) pending = { file: p, at };
      } else if (at > settlesAt) {
        settlesAt = at;
        blocking = p;
      }
    }
    for (const [p, state] of this.shipped) if (!state.companion && !snap.has(p)) ready = true;
    if (now < settlesAt) return { kind: 'wait', why: 'settling', wakeInMs: settlesAt - now, file: blocking };
    if (!ready) return pending ? { kind: 'wait', why: 'settling', wakeInMs: pending.at - now, file: pending.file } : { kind: 'idle' };
    const gate = this.lastShipAt + this.o.intervalMs;
    if (now < gate) return { kind: 'wait', why: 'interval', wakeInMs: gate - now };
    if (this.request && now < this.request.until && changedSince < this.request.at) {
      return { kind: 'wait', why: 'request', wakeInMs: this.request.until - now };
    }
    if (leave.length === 0) return { kind: 'ship', snap };
    const out = new Map(snap);
    for (const p of leave) out.delete(p);
    return { kind: 'ship', snap: out };
  }

  /** The snapshot observed last was handed to an upload. */
  shipping(snap: Snapshot, now: number): void {
    this.shipped = snap;
    this.lastShipAt = now;
    this.request = undefined;
  }

  /** The upload of `snap` finished: published, or failed (then the files count as unshipped again). */
  finished(snap: Snapshot, ok: boolean): void {
    if (ok) this.confirmed = snap;
    else if (this.shipped === snap) this.shipped = this.confirmed;
  }

  /** With --checkpoint-signal: whether to ask the job for a checkpoint now. */
  requestDue(now: number): boolean {
    return this.o.requestWaitMs !== undefined && now >= this.nextRequestAt;
  }

  requested(now: number): void {
    this.request = { at: now, until: now + (this.o.requestWaitMs ?? 0) };
    this.nextRequestAt = now + this.o.intervalMs;
  }

  /** Milliseconds until the next request is due, or undefined without --checkpoint-signal. */
  requestInMs(now: number): number | undefined {
    return this.o.requestWaitMs === undefined ? undefined : Math.max(0, this.nextRequestAt - now);
  }

  private remember(snap: Snapshot, now: number): void {
    for (const p of [...this.seen.keys()]) if (!snap.has(p)) this.seen.delete(p);
    for (const [p, state] of snap) {
      const before = this.seen.get(p);
      if (before && sameState(before.state, state)) continue;
      const last = before?.state ?? this.shipped.get(p);
      const replaced = last !== undefined && (last.ino !== state.ino || last.birthtimeMs !== state.birthtimeMs);
      this.seen.set(p, { state, since: now, replaced });
    }
  }
}

/**
 * What an upload decided on: checkpoint files that were not in the snapshot
 * appeared since (one per period, perhaps still being written) and wait for
 * their own turn; the others must still be the complete version that was
 * seen, or one that replaced it by a rename. Companions go as they are now.
 */
export function decided(found: Collected, snap: Snapshot): Collected {
  const entries = [];
  for (const e of found.entries) {
    const s = snap.get(e.path);
    if (e.companion || e.type !== 'file') entries.push(e);
    else if (s && !s.companion) entries.push({ ...e, expect: { ino: s.ino, birthtimeMs: s.birthtimeMs, size: s.size, mtimeMs: s.mtimeMs } });
  }
  return { ...found, entries };
}
