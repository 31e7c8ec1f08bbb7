import { describe, expect, it } from 'vitest';
import { SiteError } from '../../src/staging/site.js';
import { backoffDelay, backoffSchedule, loggedRetries, sleep, withRetry } from '../../src/transfer/retry.js';

const policy = { retries: 3, baseMs: 1000, capMs: 3000 };

describe("a transfer's retries", () => {
  it('back off exponentially up to the cap, half of each delay jittered', () => {
    expect(backoffSchedule(policy, () => 0)).toEqual([500, 1000, 1500]);
    expect(backoffSchedule(policy, () => 1)).toEqual([1000, 2000, 3000]);
    expect(backoffDelay(10, policy, () => 0.5)).toBe(2250);
  });

  it('only retryable site errors are tried again, at most 1 + retries times; the outcome is a value', async () => {
    const fast = { retries: 2, baseMs: 1, capMs: 1 };
    let calls = 0;
    const flaky = await withRetry(async () => {
      if (++calls < 3) throw new SiteError('retryable', 'timeout');
      return 'ok';
    }, fast);
    expect(flaky).toEqual({ tag: 'done', value: 'ok', attempts: 3 });
    const fatal = new SiteError('fatal', 'denied');
    expect(await withRetry(() => Promise.reject(fatal), fast)).toEqual({ tag: 'failed', error: fatal, attempts: 1 });
    expect(await withRetry(() => Promise.reject(new SiteError('retryable', 'x')), fast)).toMatchObject({ tag: 'failed', attempts: 3 });
  });

  it('an abort during the wait ends the run as aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const r = await withRetry(() => Promise.reject(new SiteError('retryable', 'x')), { retries: 5, baseMs: 10_000, capMs: 10_000, signal: ac.signal });
    expect(r).toMatchObject({ tag: 'failed', attempts: 1, error: { kind: 'fatal', message: 'aborted' } });
    expect(await sleep(10_000, ac.signal)).toBe(false);
  });

  it("each retry is a warning naming the step, the site and the wait", async () => {
    const warned: [unknown, string][] = [];
    const run = loggedRetries('stage-out', { retry: { retries: 1, baseMs: 1, capMs: 1 } }, 'file:///site', { warn: (o: unknown, msg: string) => void warned.push([o, msg]) } as never);
    let calls = 0;
    await withRetry(async () => {
      if (++calls === 1) throw new SiteError('retryable', 'ENOSPC: no space left');
    }, run);
    expect(warned).toEqual([[{ url: 'file:///site', attempt: 1, delay_ms: 1 }, 'stage-out: ENOSPC: no space left; retrying in 1 ms']]);
  });
});
