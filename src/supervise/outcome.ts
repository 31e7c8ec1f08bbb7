import type { JobName, TransferSummary } from '../record/types.js';

export type Outcome =
  | 'completed'
  | 'failed'
  | 'checkpointed'
  | 'killed'
  | 'stage-in-failed'
  | 'stage-out-failed'
  | 'usage-error'
  /** --total-walltime is used up: not worth requeueing. */
  | 'budget-spent';

export { EXIT } from '../exit-codes.js';
import { EXIT } from '../exit-codes.js';
import { notStartedCode } from '../record/signals.js';

export interface JobFacts {
  name: JobName;
  exitCode?: number;
  signal?: number;
  startErrno?: number;
}

export interface OutcomeInput {
  jobs: JobFacts[];
  /** A deadline (checkpoint time or -k) fired while the main job ran: only that makes a checkpoint. */
  deadlineFired: boolean;
  /** A deadline fired during setup or prejob, so the main job never ran. */
  deadlineBeforeMain?: boolean;
  /** Signal number kickstart itself received (TERM, INT, HUP) and that stopped the attempt. */
  stoppedBy?: number;
  stageIn?: TransferSummary;
  stageOut?: TransferSummary;
  checkpointExitCode: number;
  /** --total-walltime: 'spent' before the attempt started; 'deadline': the deadline that fired was the budget's. */
  budget?: 'spent' | 'deadline';
}

export interface OutcomeResult {
  outcome: Outcome;
  exitCode: number;
  /** Which job decided a failure, for the log line. */
  cause?: JobName;
  /** The deciding job could not be started at all (missing or not runnable). */
  notStarted?: boolean;
}

const SIGTERM = 15;

// Signals that mean the program crashed rather than was stopped from outside.
const CRASH_SIGNALS = new Set([4, 5, 6, 7, 8, 11, 31]);

function jobExit(j: JobFacts): { ok: boolean; code: number; crashed: boolean } {
  if (j.startErrno !== undefined) {
    return { ok: false, code: notStartedCode(j.startErrno), crashed: true };
  }
  if (j.signal !== undefined) return { ok: false, code: 128 + j.signal, crashed: CRASH_SIGNALS.has(j.signal) };
  return { ok: j.exitCode === 0, code: j.exitCode ?? 1, crashed: true };
}

/**
 * One outcome and one exit code per attempt, from plain facts, so a retry
 * policy (a person, DAGMan, Slurm, HTCondor) can act on the code alone.
 * Order matters: no stage-in means nothing ran; a stop from outside beats
 * everything the job did after it; a fired deadline counts as checkpointed
 * only when the checkpoint was shipped (or there is nowhere to ship it).
 */
export function decideOutcome(input: OutcomeInput): OutcomeResult {
  if (input.budget === 'spent') return { outcome: 'budget-spent', exitCode: EXIT.budgetSpent };
  if (input.stageIn?.result === 'failed') return { outcome: 'stage-in-failed', exitCode: EXIT.stageInFailed };
  const shippedOrLocal = input.stageOut === undefined || input.stageOut.result !== 'failed';
  if (input.stoppedBy !== undefined) return { outcome: 'killed', exitCode: 128 + input.stoppedBy };
  if (input.deadlineFired) {
    if (shippedOrLocal && input.budget === 'deadline') return { outcome: 'budget-spent', exitCode: EXIT.budgetSpent };
    return shippedOrLocal
      ? { outcome: 'checkpointed', exitCode: input.checkpointExitCode }
      : { outcome: 'stage-out-failed', exitCode: EXIT.stageOutFailed };
  }
  // Pegasus's rules: a failed prejob decides; then the main job; then the postjob.
  for (const name of ['prejob', 'mainjob', 'postjob'] as const) {
    const j = input.jobs.find((x) => x.name === name);
    if (!j) continue;
    const e = jobExit(j);
    if (!e.ok) {
      const outcome = j.signal !== undefined && !e.crashed ? 'killed' : 'failed';
      return { outcome, exitCode: e.code, cause: name, notStarted: j.startErrno !== undefined };
    }
  }
  if (!input.jobs.some((j) => j.name === 'mainjob')) {
    // The setup job the deadline stopped: the run ran out of time, it is not a missing program.
    if (input.deadlineBeforeMain) return { outcome: 'killed', exitCode: 128 + SIGTERM, cause: 'setup' };
    return { outcome: 'failed', exitCode: EXIT.notFound, cause: 'mainjob', notStarted: true };
  }
  if (!shippedOrLocal) return { outcome: 'stage-out-failed', exitCode: EXIT.stageOutFailed };
  return { outcome: 'completed', exitCode: EXIT.completed };
}

/** Whether another attempt could do better: not for success, a stop from outside, or a job that cannot start. */
export function worthRetrying(r: OutcomeResult, stoppedFromOutside: boolean): boolean {
  if (stoppedFromOutside) return false;
  if (r.outcome === 'completed' || r.outcome === 'usage-error' || r.outcome === 'budget-spent') return false;
  return !r.notStarted;
}
