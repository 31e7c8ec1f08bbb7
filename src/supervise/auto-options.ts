import type { SuperviseOptions } from './options.js';
import { PlanError } from './plan-error.js';

/**
 * The automatic deadlines' options (--max-walltime auto, --total-walltime,
 * --checkpoint-interval auto and the flags that tune them), checked once
 * into what auto-deadline.ts runs. Pure.
 */
export interface AutoOptions {
  /** --max-walltime auto: the end comes from the batch system. */
  batch: boolean;
  refreshMs: number;
  /** --checkpoint-cost, seconds (write and ship together), for the first attempt. */
  checkpointCost?: number;
  /** --total-walltime, seconds. */
  totalWalltime?: number;
  /** --checkpoint-interval auto; overhead: --checkpoint-overhead as a fraction. */
  interval?: { overhead?: number };
}

export const DEFAULT_REFRESH_MS = 60_000;

/** Below this, the look-ups would be most of what the batch system's commands do. */
const MIN_REFRESH_MS = 1_000;

/** The automatic deadlines' options, checked; undefined when none of them is used. Throws PlanError. */
export function autoOptions(o: SuperviseOptions): AutoOptions | undefined {
  const batch = o.maxWalltime === 'auto';
  const intervalAuto = o.checkpointInterval === 'auto';
  if (o.checkpointOverhead !== undefined && !intervalAuto) throw new PlanError('--checkpoint-overhead needs --checkpoint-interval auto: it caps the interval rule');
  if (o.checkpointOverhead !== undefined && !(o.checkpointOverhead > 0 && o.checkpointOverhead < 1)) {
    throw new PlanError('--checkpoint-overhead takes a share above 0% and below 100%, e.g. 5%');
  }
  if (o.requireDeadline && !batch) throw new PlanError('--require-deadline needs --max-walltime auto: it asks the batch system for the end');
  if (!batch && o.totalWalltime === undefined) {
    if (o.checkpointTime === 'auto') throw new PlanError('--checkpoint-time auto needs --max-walltime auto (or --total-walltime): it plans SIGTERM before that end');
    if (intervalAuto) throw new PlanError('--checkpoint-interval auto needs --max-walltime auto or --total-walltime: the interval comes from the measured checkpoint cost in their history');
    if (o.deadlineRefresh !== undefined) throw new PlanError('--deadline-refresh needs --max-walltime auto (or --total-walltime, whose history it updates as often)');
    if (o.checkpointCost !== undefined) throw new PlanError('--checkpoint-cost needs --max-walltime auto or --total-walltime');
    return undefined;
  }
  if (typeof o.maxWalltime === 'number') throw new PlanError('--total-walltime plans its own deadlines: use --max-walltime auto with it, or drop --max-walltime');
  if (typeof o.checkpointTime === 'number') {
    throw new PlanError('--checkpoint-time DUR cannot be combined with automatic deadlines: drop it (SIGTERM comes at end - write - ship - margin) or give --max-walltime DUR');
  }
  if (o.termAfter !== undefined || o.killAfter !== undefined) throw new PlanError('-k/-K cannot be combined with --max-walltime auto or --total-walltime: use one');
  if (o.totalWalltime !== undefined && !(o.totalWalltime > 0)) throw new PlanError('--total-walltime must be greater than 0');
  const refreshMs = o.deadlineRefresh ?? DEFAULT_REFRESH_MS;
  if (!(refreshMs >= MIN_REFRESH_MS)) throw new PlanError(`--deadline-refresh must be ${MIN_REFRESH_MS / 1000}s or more (e.g. 30s, 5m)`);
  return {
    batch,
    refreshMs,
    checkpointCost: o.checkpointCost !== undefined ? o.checkpointCost / 1000 : undefined,
    totalWalltime: o.totalWalltime !== undefined ? o.totalWalltime / 1000 : undefined,
    interval: intervalAuto ? { overhead: o.checkpointOverhead } : undefined,
  };
}
