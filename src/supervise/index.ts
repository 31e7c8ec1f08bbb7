import { silentLogger } from '../log.js';
import { native } from '../native/addon.js';
import { Reaper } from '../process/reaper.js';
import type { SignalName } from '../process/signal.js';
import type { InvocationRecord, RetryNote } from '../record/types.js';
import type { AttemptState } from './attempt.js';
import { sleep } from './attempt.js';
import type { SuperviseOptions } from './options.js';
import { worthRetrying, type Outcome } from './outcome.js';
import { makePlan, PlanError, type Plan } from './plan.js';
import { runAttempt } from './run-attempt.js';
import type { AttemptNumber } from './attempt-number.js';
import { requireDeadline } from './end-lookup.js';
import { transferStep } from './transfer-step.js';
import { clearMarkers, fileMarkers } from './markers.js';
import { resolve } from 'node:path';
import { attemptFacts, nextDelay, notePoison, type PoisonState, type RetryDelay } from './retry-policy.js';

export type { SuperviseOptions } from './options.js';
export { PlanError } from './plan.js';

export interface SuperviseResult {
  /** One complete record per attempt, in order. */
  records: InvocationRecord[];
  /** The last attempt's record. */
  record: InvocationRecord;
  outcome: Outcome;
  exitCode: number;
}

const FORWARDED: SignalName[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Runs a job under kickstart: attempts until one completes or the retries
 * are spent, each with its own complete record. Resolves with the records;
 * rejects only with a PlanError for bad options (nothing was run then).
 */
export async function supervise(o: SuperviseOptions): Promise<SuperviseResult> {
  const logger = o.logger ?? silentLogger;
  const plan0 = makePlan(o);
  const plan: Plan = { ...plan0, transfer: await transferStep(o, plan0, logger) };
  if (plan.requireDeadline) await requireDeadline(plan.env);
  plan.markers = plan.transfer?.markers ?? (o.recordFile ? fileMarkers(resolve(o.recordFile)) : undefined);
  if (plan.transfer && o.checkpoints) {
    const { checkCheckpointPaths } = await import('../transfer/index.js');
    const problem = checkCheckpointPaths([...o.checkpoints, ...(o.companions ?? [])], plan.cwd, o.allowOutside ?? false);
    if (problem) throw new PlanError(problem);
  }
  if (plan.subreaper && !o.reaper) {
    const err = native().setSubreaper();
    if (err !== 0) {
      logger.warn({ errno: err }, 'cannot become a child subreaper: descendants that leave the job may outlive it');
      plan.subreaper = false;
    }
  }
  const reaper = o.reaper ?? new Reaper(plan.subreaper ? 'all' : 'own');
  let current: AttemptState | undefined;
  let stopped = false;
  const handlers = new Map<SignalName, () => void>();
  if (o.forwardSignals) {
    for (const sig of FORWARDED) {
      const h = () => {
        if (sig === 'SIGTERM' || sig === 'SIGINT' || sig === 'SIGHUP') stopped = true;
        if (current) current.external(sig);
        else logger.warn({ signal: sig }, 'kickstart received a signal between jobs');
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
  }
  const records: InvocationRecord[] = [];
  try {
    let next: AttemptNumber | 'first' = 'first';
    let failuresInARow = 0;
    let poison: PoisonState = {};
    for (;;) {
      const r = await runAttempt(plan, next, reaper, logger, { onState: (s) => (current = s), distrust: poison.distrust });
      const attempt = r.attempt;
      records.push(r.record);
      const facts = attemptFacts(r.record, r.stoppedFromOutside);
      failuresInARow = facts.progressed || facts.clean ? 0 : failuresInARow + 1;
      poison = notePoison(poison, facts, plan.poisonAfter);
      const spent = records.length > plan.retries;
      const last = spent || stopped || !worthRetrying(r.outcome, r.stoppedFromOutside);
      // Decided before the record is written, so the record says what comes next.
      const delay = last ? undefined : nextDelay(plan.retryDelay, failuresInARow);
      if (delay) r.record.kickstart.retry = retryNote(attempt + 1, delay);
      await o.onRecord?.(r.record);
      await clearMarkers(r.markers, (msg, err) => logger.warn(err === undefined ? {} : { error: String(err) }, msg));
      const quiet = r.outcome.outcome === 'completed' && plan.retries === 0;
      logger[quiet ? 'debug' : 'info']({ attempt, outcome: r.outcome.outcome, exitcode: r.outcome.exitCode }, `attempt ${attempt}: ${r.outcome.outcome}`);
      if (!delay) {
        return { records, record: r.record, outcome: r.outcome.outcome, exitCode: r.outcome.exitCode };
      }
      if (delay.backoff) {
        logger.warn(
          { attempt, failures_in_a_row: delay.failures, delay_ms: delay.ms },
          `attempt ${attempt} failed without new progress (${delay.failures} in a row): backing off, next attempt in ${formatDelay(delay.ms)}`,
        );
      }
      next = { attempt: attempt + 1, from: 'retry' };
      if (delay.ms > 0) await sleepUnlessStopped(delay.ms, () => stopped);
      if (stopped) {
        return { records, record: r.record, outcome: r.outcome.outcome, exitCode: r.outcome.exitCode };
      }
    }
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
    plan.transfer?.history?.close?.();
    if (!o.reaper) await reaper.drain(2_000);
  }
}

function retryNote(next: number, d: RetryDelay): RetryNote {
  return { next_attempt: next, delay: d.ms / 1000, ...(d.failures ? { failed_in_a_row: d.failures } : {}), ...(d.backoff ? { backoff: true } : {}) };
}

function formatDelay(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

/** A backoff can be minutes: a TERM to kickstart must not wait for it. */
async function sleepUnlessStopped(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
}
