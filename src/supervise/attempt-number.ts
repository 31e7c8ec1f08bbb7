import type { AttemptFrom } from '../record/types.js';

/**
 * Pure: the number of a kickstart's first attempt when --attempt is not
 * given. A fresh kickstart (a requeue, a resubmission after a node crash)
 * must not call itself attempt 1 again: its record would follow "attempt 1
 * never finished" with "attempt 1 completed", and its manifests would repeat
 * `attempt: 1`. --attempt N wins; otherwise the highest of
 *
 *  - the batch system's restart count, + 1 (Slurm's SLURM_RESTART_COUNT);
 *  - one more than the highest attempt earlier attempts of this job left:
 *    start markers of attempts that never finished, and the newest manifest
 *    at the staging site;
 *  - 1.
 *
 * The highest, not the first found: a job whose kickstart ran attempts 1
 * and 2 (--retries) and was then requeued has a restart count of 1, and
 * must still be attempt 3.
 *
 * Later attempts of the --retries loop count up from there ('retry').
 */

/** Where an attempt's number came from: the record's `kickstart.attempt_from`. */
export type { AttemptFrom };

export interface AttemptNumber {
  attempt: number;
  from: AttemptFrom;
}

/** The batch system's count of restarts of this job, when it gives one. */
export interface RestartCount {
  from: 'SLURM_RESTART_COUNT';
  count: number;
}

export interface AttemptCandidates {
  /** --attempt. */
  given?: number;
  restart?: RestartCount;
  /** Attempt numbers of start markers left behind (attempts that died without a record). */
  markers: readonly number[];
  /** `attempt` of the newest manifest at the staging site. */
  manifest?: number;
}

export function chooseFirstAttempt(c: AttemptCandidates): AttemptNumber {
  if (c.given !== undefined) return { attempt: c.given, from: '--attempt' };
  // In order of preference on a tie: the batch system's own count, then a
  // marker (the attempt that shipped that manifest also started and died).
  const found: AttemptNumber[] = [
    ...(c.restart ? [{ attempt: c.restart.count + 1, from: c.restart.from }] : []),
    ...(c.markers.length ? [{ attempt: Math.max(...c.markers) + 1, from: 'start-marker' as const }] : []),
    ...(c.manifest ? [{ attempt: c.manifest + 1, from: 'manifest' as const }] : []),
  ];
  return found.reduce((best, n) => (n.attempt > best.attempt ? n : best), { attempt: 1, from: 'default' } as AttemptNumber);
}

/**
 * The restart count in the job's environment. Slurm is the only batch system
 * here that gives a count: LSF's LSB_RESTART is only "Y" after a restart
 * (no count), PBS and HTCondor set none in the environment.
 *
 * SLURM_RESTART_COUNT=0 counts as none. Slurm left the variable unset until
 * a job had been restarted (the sbatch man page up to 2026: "If the job has
 * been restarted ... this will be sent to the number of times"); since
 * SchedMD commit 36b31fae4d ("Always set SLURM_RESTART_COUNT in batch job
 * environments") it is 0 on a new allocation. Read as none, both versions
 * number alike, and a new allocation of a job that already ran (resubmitted
 * by hand after NODE_FAIL) still finds its earlier attempts' traces.
 */
export function restartCount(env: Readonly<Record<string, string>>): RestartCount | undefined {
  const text = env.SLURM_RESTART_COUNT?.trim();
  if (!text || !/^\d{1,9}$/.test(text)) return undefined;
  const count = Number(text);
  return count > 0 ? { from: 'SLURM_RESTART_COUNT', count } : undefined;
}
