import type { AttemptEntry } from '../transfer/deadline-history.js';
import { budgetSpent, type CostEstimate, type IntervalChoice } from './cost-estimate.js';

/** An end time the batch system gave during the attempt, as the record lists it. */
export interface EndSeen {
  /** Seconds since the attempt's start. */
  at: number;
  end: string | null;
  source: string;
  /** The SIGTERM and SIGKILL planned from this end (s since the start). */
  term_at?: number;
  kill_at?: number;
}

/** What auto-deadline.ts knows at the record's writing, as plain data. */
export interface DeadlinePlanFacts {
  /** This attempt's history entry: its planned end and, once finished, what it measured. */
  entry: AttemptEntry;
  /** The attempts before this one. */
  earlier: AttemptEntry[];
  ends: EndSeen[];
  /** Which end the deadlines were planned from. */
  endFrom: 'batch' | 'budget' | 'none';
  /** The budget was spent before the attempt started: nothing ran. */
  spent: boolean;
  /** Undefined when nothing was planned (a spent budget). */
  write?: CostEstimate;
  ship?: CostEstimate;
  marginS: number;
  /** --total-walltime, seconds. */
  totalWalltime?: number;
  interval?: IntervalChoice;
}

/** kickstart.deadline.plan in the record: why TERM came when it did (pure). */
export function deadlinePlanRecord(f: DeadlinePlanFacts): Record<string, unknown> {
  const spent = budgetSpent(f.earlier);
  const e = f.entry;
  return {
    end: e.end ?? null,
    end_from: f.spent ? 'budget' : f.endFrom === 'budget' ? 'total-walltime' : f.endFrom === 'batch' ? f.ends.at(-1)?.source : 'none',
    ends_seen: f.ends,
    write_estimate: f.write ? { seconds: f.write.seconds, rule: f.write.rule, samples: f.write.samples } : undefined,
    ship_estimate: f.ship ? { seconds: f.ship.seconds, rule: f.ship.rule, samples: f.ship.samples } : undefined,
    margin: f.write ? f.marginS : undefined,
    measured: e.outcome ? defined({ write: e.write, write_cut: e.write_cut, ship: e.ship, bytes: e.bytes }) : undefined,
    history_attempts: f.earlier.length,
    budget:
      f.totalWalltime === undefined
        ? undefined
        : { total: f.totalWalltime, spent_before: spent, left_at_start: Math.max(0, Math.round((f.totalWalltime - spent) * 1000) / 1000) },
    interval: f.interval,
  };
}

function defined<T extends object>(o: T): Partial<T> | undefined {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(out).length ? out : undefined;
}
