/**
 * Pure: how long the checkpoint takes to write and to ship, learned from
 * earlier attempts, and when TERM and KILL must come so both fit before the
 * end. SCR's halt rule (stop when time left <= checkpoint + flush + slack),
 * with the costs measured by kickstart instead of given by hand.
 */
import type { AttemptEntry } from '../transfer/deadline-history.js';

export const ESTIMATE = {
  /** The last this many attempts that measured a cost. */
  window: 5,
  quantile: 0.9,
  /** Estimates are the p90 times this. */
  safety: 1.5,
  /** No learned cost below this (s): timer and look-up jitter. */
  floor: 0.5,
  /** First attempt, without --checkpoint-cost: each of write and ship is this share of the time left... */
  defaultShare: 0.05,
  /** ...within these bounds (s). */
  defaultMin: 1,
  defaultMax: 300,
  /** Margin after the ship: record, exit, the job script's requeue. A share of the time left, within bounds (s). */
  marginShare: 0.05,
  marginMin: 2,
  marginMax: 60,
} as const;

export type CostRule = 'learned' | 'checkpoint-cost' | 'default';

export interface CostEstimate {
  /** Seconds. */
  seconds: number;
  rule: CostRule;
  /** The measured values it came from (s), newest last. */
  samples: number[];
}

/** Nearest-rank quantile of a non-empty list. */
export function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The first attempt's guess, from the time left (s) or --checkpoint-cost (s, write and ship together). */
function firstGuess(leftS: number, checkpointCost?: number): { seconds: number; rule: CostRule } {
  if (checkpointCost !== undefined) return { seconds: r3(checkpointCost / 2), rule: 'checkpoint-cost' };
  return { seconds: r3(clamp(ESTIMATE.defaultShare * leftS, ESTIMATE.defaultMin, ESTIMATE.defaultMax)), rule: 'default' };
}

function learned(samples: number[], fallback: { seconds: number; rule: CostRule }): CostEstimate {
  const recent = samples.slice(-ESTIMATE.window);
  if (recent.length === 0) return { ...fallback, samples: [] };
  const seconds = Math.max(ESTIMATE.floor, quantile(recent, ESTIMATE.quantile) * ESTIMATE.safety);
  return { seconds: r3(seconds), rule: 'learned', samples: recent };
}

/** SIGTERM -> the app's exit, from attempts that were TERMed. */
export function estimateWrite(history: AttemptEntry[], leftS: number, checkpointCost?: number): CostEstimate {
  const samples = history.filter((a) => a.write !== undefined).map((a) => a.write!);
  return learned(samples, firstGuess(leftS, checkpointCost));
}

/**
 * Stage-out of the newest generation's size at each attempt's measured
 * throughput: a shipment that grew is scaled up, never down (a small one is
 * all latency).
 */
export function estimateShip(history: AttemptEntry[], leftS: number, checkpointCost?: number): CostEstimate {
  const shipped = history.filter((a) => a.ship !== undefined);
  const newest = [...history].reverse().find((a) => a.bytes !== undefined)?.bytes ?? 0;
  const samples = shipped.map((a) => (a.bytes && newest > a.bytes ? a.ship! * (newest / a.bytes) : a.ship!));
  return learned(samples.map(r3), firstGuess(leftS, checkpointCost));
}

export function margin(leftS: number): number {
  return r3(clamp(ESTIMATE.marginShare * leftS, ESTIMATE.marginMin, ESTIMATE.marginMax));
}

export interface TimesInput {
  /** Unix ms of the end. */
  end: number;
  /** Unix ms of the attempt's start (the timers' zero). */
  start: number;
  write: number;
  ship: number;
  margin: number;
}

/** TERM at end - (write + ship + margin), KILL at end - (ship + margin), in ms after the start; never before it. */
export function deadlineTimes(i: TimesInput): { termAt: number; killAt: number } {
  const killAt = Math.max(0, Math.round(i.end - i.start - (i.ship + i.margin) * 1000));
  const termAt = Math.min(killAt, Math.max(0, Math.round(i.end - i.start - (i.write + i.ship + i.margin) * 1000)));
  return { termAt, killAt };
}

/** --total-walltime: seconds spent by the attempts so far (running ones as far as they got). */
export function budgetSpent(history: AttemptEntry[]): number {
  return r3(history.reduce((s, a) => s + (a.duration ?? 0), 0));
}

export const DEFAULT_MTBI = 86_400;

export type IntervalRule = 'young' | 'overhead-cap';

export interface IntervalChoice {
  /** Seconds between checkpoints. */
  interval: number;
  rule: IntervalRule;
  /** C: seconds one checkpoint costs. */
  cost: number;
  /** M: mean seconds between interruptions, and where it came from. */
  mtbi: number;
  mtbiFrom: 'history' | 'default';
  interruptions: number;
}

/** Attempts that ended without kickstart's say: killed, or never finished (no end marker: node loss, SIGKILL). */
export function interruptions(history: AttemptEntry[]): number {
  return history.filter((a) => a.outcome === 'killed' || a.outcome === undefined).length;
}

/**
 * Young's interval sqrt(2 C M); with `overhead` (a fraction), never so short
 * that checkpointing takes more than that share: C / (interval + C) <= P.
 */
export function chooseInterval(cost: number, history: AttemptEntry[], overhead?: number): IntervalChoice {
  const n = interruptions(history);
  const ran = history.reduce((s, a) => s + (a.duration ?? 0), 0);
  const mtbi = n > 0 ? Math.max(ran / n, cost) : DEFAULT_MTBI;
  const c = Math.max(cost, ESTIMATE.floor);
  const young = Math.sqrt(2 * c * mtbi);
  const cap = overhead !== undefined ? (c * (1 - overhead)) / overhead : 0;
  return {
    interval: r3(Math.max(young, cap)),
    rule: cap > young ? 'overhead-cap' : 'young',
    cost: r3(c),
    mtbi: r3(mtbi),
    mtbiFrom: n > 0 ? 'history' : 'default',
    interruptions: n,
  };
}
