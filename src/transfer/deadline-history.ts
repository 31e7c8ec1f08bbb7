/**
 * Pure: the small history object kept at the staging site next to the
 * generations (<jobId>/deadline-history.json), read at each attempt's start
 * and written back, atomically, as it runs and when it ends. It is what
 * --max-walltime auto learns costs from and what --total-walltime counts.
 */

export const HISTORY_VERSION = 1;
/** Attempts kept: enough for the estimates and the interruption rate. */
const KEEP = 50;

export interface AttemptEntry {
  attempt: number;
  /** ISO start. */
  start: string;
  host?: string;
  /** Seconds run so far; final once `outcome` is set. */
  duration?: number;
  /** Unset while running: an entry left so by a later attempt's start was interrupted (node loss, SIGKILL). */
  outcome?: string;
  /** Seconds from kickstart's SIGTERM to the app's exit. */
  write?: number;
  /** The app did not exit before SIGKILL: `write` is a lower bound. */
  write_cut?: boolean;
  /** Seconds of the final stage-out, and its bytes. */
  ship?: number;
  bytes?: number;
  /** The end time this attempt planned for (ISO), and where it came from. */
  end?: string;
  source?: string;
}

export interface DeadlineHistory {
  version: number;
  job_id: string;
  /** --total-walltime in seconds, as first given (a later attempt may give another). */
  total_walltime?: number;
  attempts: AttemptEntry[];
}

export function emptyHistory(jobId: string): DeadlineHistory {
  return { version: HISTORY_VERSION, job_id: jobId, attempts: [] };
}

/** Parses the stored object; a damaged or foreign one counts as none (with the reason), never as an error that stops the job. */
export function parseHistory(text: string, jobId: string): { history: DeadlineHistory; problem?: string } {
  try {
    const h = JSON.parse(text) as DeadlineHistory;
    if (h?.version !== HISTORY_VERSION || h.job_id !== jobId || !Array.isArray(h.attempts)) {
      return { history: emptyHistory(jobId), problem: `not a version ${HISTORY_VERSION} history of job ${jobId}` };
    }
    const attempts = h.attempts.filter((a) => a && typeof a.attempt === 'number' && typeof a.start === 'string');
    return { history: { ...h, attempts } };
  } catch (e) {
    return { history: emptyHistory(jobId), problem: `not JSON (${(e as Error).message})` };
  }
}

/** The history with this attempt's entry replaced (same attempt number and start) or added, oldest dropped past KEEP. */
export function withAttempt(h: DeadlineHistory, entry: AttemptEntry): DeadlineHistory {
  const others = h.attempts.filter((a) => !(a.attempt === entry.attempt && a.start === entry.start));
  return { ...h, attempts: [...others, entry].slice(-KEEP) };
}

export function serialize(h: DeadlineHistory): Uint8Array {
  return Buffer.from(JSON.stringify(h, null, 1) + '\n');
}

export function historyKey(jobId: string): string {
  return `${jobId}/deadline-history.json`;
}
