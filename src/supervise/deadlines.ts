import { formatDuration } from './duration.js';

export interface DeadlineInput {
  /** --checkpoint-time, ms after start. */
  checkpointTime?: number;
  /** --max-walltime, ms after start. */
  maxWalltime?: number;
  /** pegasus-kickstart's -k: SIGTERM this many ms after start. */
  termAfter?: number;
  /** pegasus-kickstart's -K: SIGKILL this many ms after the SIGTERM (default 5 s). */
  killAfter?: number;
}

export interface Schedule {
  /** ms after start for SIGTERM; undefined: no deadline. */
  termAt?: number;
  /** ms after start for the first SIGKILL. */
  killAt?: number;
  /** Grace between a SIGTERM and its SIGKILL: also used when kickstart itself receives TERM/INT/HUP. */
  graceMs: number;
}

export type ScheduleResult = { ok: true; schedule: Schedule } | { ok: false; message: string };

const PLANNER_MARGIN = 300_000;
const PLANNER_SHORT_MARGIN = 10_000;
export const DEFAULT_KILL_AFTER = 5_000;

/**
 * The deadline plan, as pure arithmetic. SIGTERM at the checkpoint time;
 * SIGKILL halfway from there to the max walltime, which leaves the other half
 * to ship the checkpoint before the batch system's own kill. With only a max
 * walltime, the checkpoint time is derived as the Pegasus planner does.
 */
export function schedule(input: DeadlineInput): ScheduleResult {
  const { checkpointTime, maxWalltime, termAfter, killAfter } = input;
  const usesPegasus = termAfter !== undefined || killAfter !== undefined;
  const usesWalltime = checkpointTime !== undefined || maxWalltime !== undefined;
  if (usesPegasus && usesWalltime) {
    return fail('-k/-K and --checkpoint-time/--max-walltime cannot be combined: use one pair');
  }
  if (killAfter !== undefined && termAfter === undefined) {
    return fail('-K needs -k: give the SIGTERM time with -k SECONDS');
  }
  for (const [flag, v] of [
    ['--checkpoint-time', checkpointTime],
    ['--max-walltime', maxWalltime],
    ['-k', termAfter],
    ['-K', killAfter],
  ] as const) {
    if (v !== undefined && !(v > 0)) return fail(`${flag} must be greater than 0`);
  }
  if (termAfter !== undefined) {
    const grace = killAfter ?? DEFAULT_KILL_AFTER;
    return { ok: true, schedule: { termAt: termAfter, killAt: termAfter + grace, graceMs: grace } };
  }
  if (maxWalltime === undefined) {
    if (checkpointTime === undefined) return { ok: true, schedule: { graceMs: DEFAULT_KILL_AFTER } };
    return fail('--checkpoint-time needs --max-walltime: SIGKILL comes halfway between the two');
  }
  let term = checkpointTime;
  if (term === undefined) {
    term = maxWalltime - PLANNER_MARGIN;
    if (term <= 0) term = maxWalltime - PLANNER_SHORT_MARGIN;
    if (term <= 0) return fail(`--max-walltime ${formatDuration(maxWalltime)} is too short to derive a checkpoint time: give --checkpoint-time`);
  }
  if (maxWalltime <= term) {
    return fail(
      `--max-walltime (${formatDuration(maxWalltime)}) must be greater than --checkpoint-time (${formatDuration(term)})`,
    );
  }
  const grace = Math.round((maxWalltime - term) / 2);
  return { ok: true, schedule: { termAt: term, killAt: term + grace, graceMs: grace } };
}

function fail(message: string): ScheduleResult {
  return { ok: false, message };
}
