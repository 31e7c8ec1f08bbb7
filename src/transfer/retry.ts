import type { Logger } from '../log.js';
import { SiteError, oneLine } from '../staging/site.js';

export interface RetryPolicy {
  /** Tries after the first one. */
  retries: number;
  /** First delay; each retry doubles it. */
  baseMs: number;
  /** No delay is longer than this. */
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseMs: 1000, capMs: 30_000 };

/**
 * Pure: the delay before retry number `n` (1-based): exponential, capped, with
 * "equal jitter" (half fixed, half random) so that many jobs restarted at once
 * do not hit the staging site in lockstep.
 */
export function backoffDelay(n: number, p: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(p.capMs, p.baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** Pure: every delay of a policy, for logs and tests. */
export function backoffSchedule(p: RetryPolicy, random: () => number = Math.random): number[] {
  return Array.from({ length: p.retries }, (_, i) => backoffDelay(i + 1, p, random));
}

export type RetryResult<T> =
  | { tag: 'done'; value: T; attempts: number }
  | { tag: 'failed'; error: unknown; attempts: number };

export interface RetryRun extends RetryPolicy {
  signal?: AbortSignal;
  /** Told before each wait. */
  onRetry?: (attempt: number, err: unknown, delayMs: number) => void;
}

/** A transfer step's retries, each logged as a warning naming the site and the step. */
export function loggedRetries(step: 'stage-in' | 'stage-out', o: { retry: RetryPolicy; signal?: AbortSignal }, url: string, log: Pick<Logger, 'warn'>): RetryRun {
  return {
    ...o.retry,
    signal: o.signal,
    onRetry: (a, err, ms) => log.warn({ url, attempt: a, delay_ms: ms }, `${step}: ${oneLine(err)}; retrying in ${ms} ms`),
  };
}

/** Only storage errors marked retryable are tried again; everything else ends the run. */
export function isRetryable(err: unknown): boolean {
  return err instanceof SiteError && err.kind === 'retryable';
}

/**
 * Runs `fn` until it succeeds, fails with an error that retrying cannot fix,
 * or has been tried 1 + retries times. Never throws: the outcome is a value.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryRun): Promise<RetryResult<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      o.signal?.throwIfAborted();
      return { tag: 'done', value: await fn(attempt), attempts: attempt };
    } catch (error) {
      if (!isRetryable(error) || attempt > o.retries || o.signal?.aborted) return { tag: 'failed', error, attempts: attempt };
      const delay = backoffDelay(attempt, o);
      o.onRetry?.(attempt, error, delay);
      const woke = await sleep(delay, o.signal);
      if (!woke) return { tag: 'failed', error: new SiteError('fatal', 'aborted'), attempts: attempt };
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export { oneLine };
