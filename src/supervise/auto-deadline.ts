/**
 * --max-walltime auto, --total-walltime, --checkpoint-interval auto: the
 * effects around the pure rules of cost-estimate.ts. At the attempt's start
 * it asks the batch system for the end (at most 2 s) and reads the history
 * at the staging site; it plans TERM and KILL from the learned costs, looks
 * the end up again every refresh interval and moves the timers when it
 * moved; at the end it writes what this attempt measured back.
 */
import { hostname } from 'node:os';
import type { Logger } from '../log.js';
import type { JobResult } from './job.js';
import type { AttemptState } from './attempt.js';
import { DEFAULT_KILL_AFTER, type Schedule } from './deadlines.js';
import {
  budgetSpent,
  chooseInterval,
  deadlineTimes,
  estimateShip,
  estimateWrite,
  margin,
  type CostEstimate,
  type IntervalChoice,
} from './cost-estimate.js';
import { withAttempt, type AttemptEntry, type DeadlineHistory } from '../transfer/deadline-history.js';
import type { TransferSummary } from '../record/types.js';
import { nodeChild } from '../process/reaper.js';
import type { AutoOptions } from './auto-options.js';
import { deadlinePlanRecord, type EndSeen } from './auto-deadline-record.js';
import { loadLookup, START_LOOKUP_MS, type EndLookupFn } from './end-lookup.js';
import type { HistoryAccess } from './transfer-step.js';

export class AutoDeadline {
  private ends: EndSeen[] = [];
  private batchEnd: number | null | undefined;
  private history: DeadlineHistory;
  private entry: AttemptEntry;
  private write!: CostEstimate;
  private ship!: CostEstimate;
  private marginS = 0;
  private endFrom: 'batch' | 'budget' | 'none' = 'none';
  private firedFrom?: 'batch' | 'budget';
  private timer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  private lookup?: EndLookupFn;
  /** The budget was spent before this attempt started: nothing runs. */
  spent = false;
  interval?: IntervalChoice;

  private constructor(
    private readonly o: AutoOptions,
    private readonly env: Record<string, string>,
    private readonly state: AttemptState,
    private readonly store: HistoryAccess | undefined,
    private readonly logger: Logger,
    history: DeadlineHistory,
    attempt: number,
  ) {
    this.history = history;
    this.entry = { attempt, start: new Date(state.startMs).toISOString(), host: hostname() };
  }

  /** Looks the end up and reads the history together; arms the attempt's deadlines. */
  static async begin(o: AutoOptions, env: Record<string, string>, attempt: number, state: AttemptState, store: HistoryAccess | undefined, logger: Logger): Promise<AutoDeadline> {
    const lookup = o.batch ? await loadLookup() : undefined;
    const [found, read] = await Promise.all([
      lookup?.({ env, timeoutMs: START_LOOKUP_MS, spawned: nodeChild }),
      store ? store.read() : Promise.resolve({ history: undefined, problem: undefined }),
    ]);
    if (read.problem) logger.warn({ problem: read.problem }, 'deadline history unusable: planning as for a first attempt');
    const a = new AutoDeadline(o, env, state, store, logger, read.history ?? { version: 1, job_id: '', attempts: [] }, attempt);
    a.lookup = lookup;
    if (found?.found) a.seen(found.lookup);
    else if (found && !found.found) logger.info(`--max-walltime auto: no end time from a batch system (${found.why}); running without a deadline`);
    if (o.totalWalltime !== undefined) {
      a.history.total_walltime = o.totalWalltime;
      const left = o.totalWalltime - budgetSpent(a.history.attempts);
      if (left <= 0) {
        a.spent = true;
        logger.error({ total: o.totalWalltime, spent: budgetSpent(a.history.attempts) }, '--total-walltime is spent: not starting the job');
        return a;
      }
    }
    a.plan();
    if (o.interval) a.interval = chooseInterval(a.write.seconds + a.ship.seconds, a.history.attempts, o.interval.overhead);
    a.save();
    // Also a heartbeat: an attempt killed outright still counts against the budget as far as it got.
    if (lookup || store) {
      a.timer = setInterval(() => void a.refresh(), o.refreshMs);
      a.timer.unref();
    }
    return a;
  }

  /** Attempts before this one (the current one is not in the estimates). */
  private earlier(): AttemptEntry[] {
    return this.history.attempts.filter((x) => !(x.attempt === this.entry.attempt && x.start === this.entry.start));
  }

  private seen(l: { source: string; end: number | null }): boolean {
    const changed = this.ends.length === 0 || l.end !== this.batchEnd;
    this.batchEnd = l.end;
    if (changed) this.ends.push({ at: Math.round(this.state.elapsed() * 1000) / 1000, end: l.end === null ? null : new Date(l.end).toISOString(), source: l.source });
    return changed;
  }

  /** The end of this attempt: the batch end or the budget's, whichever comes first. */
  private end(): number | undefined {
    const budget = this.o.totalWalltime !== undefined ? this.state.startMs + (this.o.totalWalltime - budgetSpent(this.earlier())) * 1000 : undefined;
    const batch = this.batchEnd ?? undefined;
    if (budget !== undefined && (batch === undefined || budget < batch)) {
      this.endFrom = 'budget';
      return budget;
    }
    this.endFrom = batch !== undefined ? 'batch' : 'none';
    return batch;
  }

  private plan(): void {
    const end = this.end();
    const leftS = end !== undefined ? Math.max(0, (end - this.state.startMs) / 1000) : 0;
    const earlier = this.earlier();
    this.write = estimateWrite(earlier, leftS, this.o.checkpointCost);
    this.ship = estimateShip(earlier, leftS, this.o.checkpointCost);
    this.marginS = margin(leftS);
    let schedule: Schedule = { graceMs: DEFAULT_KILL_AFTER };
    if (end !== undefined) {
      const t = deadlineTimes({ end, start: this.state.startMs, write: this.write.seconds, ship: this.ship.seconds, margin: this.marginS });
      schedule = { termAt: t.termAt, killAt: t.killAt, graceMs: DEFAULT_KILL_AFTER };
      const last = this.ends.at(-1);
      if (last && this.endFrom === 'batch') Object.assign(last, { term_at: t.termAt / 1000, kill_at: t.killAt / 1000 });
      this.entry.end = new Date(end).toISOString();
      this.entry.source = this.endFrom === 'budget' ? 'total-walltime' : this.ends.at(-1)?.source;
    }
    if (!this.state.deadlineFired) this.firedFrom = this.endFrom === 'none' ? undefined : this.endFrom;
    this.state.rearm(schedule);
  }

  private async refresh(): Promise<void> {
    if (this.lookup) {
      const got = await this.lookup({ env: this.env, timeoutMs: Math.min(10_000, this.o.refreshMs), refresh: true, spawned: nodeChild });
      if (!got.found) this.logger.debug({ why: got.why }, 'end time look-up failed: the deadlines stay');
      if (got.found && this.seen(got.lookup)) {
        this.logger.info({ end: this.ends.at(-1)!.end, source: got.lookup.source }, 'the batch system moved the end: deadlines move with it');
        this.plan();
      }
    }
    this.entry.duration = Math.round(this.state.elapsed() * 1000) / 1000;
    this.save();
  }

  /** Writes the history (one write at a time, never failing the job). */
  private save(): Promise<void> {
    if (!this.store) return Promise.resolve();
    this.history = withAttempt(this.history, { ...this.entry });
    const h = this.history;
    this.saving = this.saving
      .then(() => this.store!.write(h))
      .catch((e) => this.logger.warn({ error: (e as Error).message }, 'cannot write the deadline history'));
    return this.saving;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The fired deadline was the budget's: the attempt ends as budget-spent. */
  get budgetDeadline(): boolean {
    return this.firedFrom === 'budget';
  }

  /** Measured costs into the history; awaited so the next attempt sees them. */
  async finish(f: { main?: JobResult; stageOut?: TransferSummary; outcome: string }): Promise<void> {
    this.stop();
    const s = this.state;
    const e = this.entry;
    e.duration = Math.round(s.elapsed() * 1000) / 1000;
    e.outcome = f.outcome;
    if (s.deadlineFired && s.firedAt !== undefined && f.main && !f.main.startErrno) {
      const ended = (Date.parse(f.main.record.start) + f.main.record.duration * 1000 - s.startMs) / 1000;
      e.write = Math.max(0, Math.round((ended - s.firedAt) * 1000) / 1000);
      if (s.signals.some((x) => x.signal === 'SIGKILL' && x.reason === 'kill-time')) e.write_cut = true;
    }
    if (f.stageOut?.result === 'ok') {
      e.ship = f.stageOut.duration;
      e.bytes = f.stageOut.bytes;
    }
    await this.save();
  }

  /** kickstart.deadline.plan in the record: why TERM came when it did. */
  record(): Record<string, unknown> {
    return deadlinePlanRecord({
      entry: this.entry,
      earlier: this.earlier(),
      ends: this.ends,
      endFrom: this.endFrom,
      spent: this.spent,
      write: this.write,
      ship: this.ship,
      marginS: this.marginS,
      totalWalltime: this.o.totalWalltime,
      interval: this.interval,
    });
  }
}
