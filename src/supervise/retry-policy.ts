import type { InvocationRecord } from '../record/types.js';

/**
 * Pure: what one attempt's record says for the retry loop. Progress is a
 * newer good generation: one shipped while the job ran (a live trigger), or
 * the stage-out of a clean end (the job completed, a deadline fired, a stop
 * from outside). A failed attempt's final stage-out is not progress: a
 * crash-looping app can ship garbage every time.
 */

/** The first delay after a failure without progress when --retry-delay is 0. */
export const BACKOFF_START_MS = 1_000;
export const BACKOFF_CAP_MS = 5 * 60_000;


export interface AttemptFacts {
  attempt: number;
  /** Ended cleanly: its final stage-out ships a good generation. */
  clean: boolean;
  /** Shipped a newer good generation (live, or a clean end's stage-out). */
  progressed: boolean;
  /** The generation stage-in restored, and a fingerprint of its content. */
  restored?: { generation: number; content: string };
}

/**
 * A clean end, whose final stage-out is a good generation: completed,
 * checkpointed, or kickstart itself stopped from outside (the batch system's
 * end). A job killed by a signal kickstart did not get (the OOM killer) is not.
 */
export function isCleanOutcome(outcome: string | undefined, stoppedFromOutside: boolean): boolean {
  return outcome === 'completed' || outcome === 'checkpointed' || (outcome === 'killed' && stoppedFromOutside);
}

export function attemptFacts(record: InvocationRecord, stoppedFromOutside = false): AttemptFacts {
  const ks = record.kickstart;
  const clean = isCleanOutcome(ks.outcome, stoppedFromOutside);
  const live = (ks.live_uploads ?? []).some((u) => u.result === 'ok');
  const out = ks.stage_out;
  const shippedOut = out?.result === 'ok' && out.generation !== undefined;
  const staged = ks.stage_in !== undefined || out !== undefined;
  // Without a staging site nothing is shipped: a clean end is the progress there is.
  const progressed = live || (clean && (shippedOut || !staged));
  const si = ks.stage_in;
  const restored =
    si?.result === 'ok' && si.generation !== undefined
      ? { generation: si.generation, content: si.files.map((f) => `${f.path}\0${f.size}\0${f.sha256}`).sort().join('\n') }
      : undefined;
  return { attempt: ks.attempt ?? 1, clean, progressed, restored };
}

export interface RetryDelay {
  ms: number;
  /** Grown past --retry-delay because attempts failed in a row without progress. */
  backoff: boolean;
  /** Attempts in a row that failed without progress, this one included (0 after progress). */
  failures: number;
}

/**
 * The wait before the next attempt: --retry-delay after progress; after the
 * k-th failure in a row without progress, start·2^(k-1), start being
 * --retry-delay or 1 s, at most 5 min (or --retry-delay, if that is longer).
 */
export function nextDelay(retryDelayMs: number, failuresInARow: number): RetryDelay {
  if (failuresInARow === 0) return { ms: retryDelayMs, backoff: false, failures: 0 };
  const start = retryDelayMs > 0 ? retryDelayMs : BACKOFF_START_MS;
  const cap = Math.max(BACKOFF_CAP_MS, retryDelayMs);
  const ms = Math.min(cap, start * 2 ** Math.min(failuresInARow - 1, 30));
  return { ms, backoff: ms > retryDelayMs, failures: failuresInARow };
}

/**
 * Poisoned checkpoints: a crash-looping app may overwrite its checkpoint
 * with garbage and exit 1, attempt after attempt. Attempts that restored the
 * same content (generation N, or later copies of it) and failed K times in a
 * row without progress poison it: the next stage-ins pass over N and every
 * newer generation a failed attempt shipped, which rolls back to the
 * generation before N. Progress (a newer good generation) clears it all.
 */
export interface PoisonState {
  streak?: { content: string; generations: number[]; attempts: number[] };
  distrust?: { generations: number[]; reason: string };
}

export function notePoison(state: PoisonState, facts: AttemptFacts, poisonAfter: number): PoisonState {
  if (facts.progressed) return {};
  if (facts.clean || !facts.restored || poisonAfter <= 0) return { distrust: state.distrust };
  const { generation, content } = facts.restored;
  const same = state.streak?.content === content ? state.streak : undefined;
  const streak = {
    content,
    generations: same ? [...new Set([...same.generations, generation])] : [generation],
    attempts: [...(same?.attempts ?? []), facts.attempt],
  };
  if (streak.attempts.length < poisonAfter) return { streak, distrust: state.distrust };
  const gens = streak.generations.sort((a, b) => a - b);
  const reason =
    `${listWords(streak.attempts.map((a) => `${a}`), 'attempt')} restored ${listWords(gens.map(String), 'generation')}` +
    `${gens.length > 1 ? ' (the same content)' : ''} and failed without shipping a newer good generation (--poison-after ${poisonAfter})`;
  return { distrust: { generations: [...new Set([...(state.distrust?.generations ?? []), ...gens])].sort((a, b) => a - b), reason } };
}

/** "attempts 2 and 3", "generation 4". */
function listWords(xs: string[], noun: string): string {
  if (xs.length === 1) return `${noun} ${xs[0]}`;
  return `${noun}s ${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;
}
