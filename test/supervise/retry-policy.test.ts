import { describe, expect, it } from 'vitest';
import { attemptFacts, BACKOFF_CAP_MS, nextDelay } from '../../src/supervise/retry-policy.js';

const rec = (kickstart: Record<string, unknown>) => ({ kickstart: { version: 'x', signals: [], ...kickstart } }) as any;
const files = [{ path: 'c.ckpt', size: 3, sha256: 'a'.repeat(64) }];

describe('backoff after failures without progress (#18 item 5)', () => {
  it('doubles from --retry-delay, or from 1 s without one, up to 5 min', () => {
    expect([1, 2, 3, 4].map((k) => nextDelay(0, k).ms)).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3].map((k) => nextDelay(300, k).ms)).toEqual([300, 600, 1200]);
    expect(nextDelay(0, 20).ms).toBe(BACKOFF_CAP_MS);
    expect(nextDelay(0, 10_000).ms).toBe(BACKOFF_CAP_MS);
    // A --retry-delay longer than the cap stays what the user asked for.
    expect(nextDelay(600_000, 3)).toEqual({ ms: 600_000, backoff: false, failures: 3 });
  });

  it('after progress the delay is --retry-delay as given, not a backoff', () => {
    expect(nextDelay(0, 0)).toEqual({ ms: 0, backoff: false, failures: 0 });
    expect(nextDelay(2000, 0)).toEqual({ ms: 2000, backoff: false, failures: 0 });
    expect(nextDelay(2000, 1).backoff).toBe(false);
    expect(nextDelay(2000, 2).backoff).toBe(true);
  });

  it('progress is a newer good generation: live, or the stage-out of a clean end; never a failed attempt’s stage-out', () => {
    const out = { direction: 'out', result: 'ok', url: 'file:///s', generation: 4, files, bytes: 3, duration: 0, attempts: 1 };
    expect(attemptFacts(rec({ outcome: 'checkpointed', stage_out: out }))).toMatchObject({ clean: true, progressed: true });
    expect(attemptFacts(rec({ outcome: 'failed', stage_out: out }))).toMatchObject({ clean: false, progressed: false });
    expect(attemptFacts(rec({ outcome: 'failed', stage_out: out, live_uploads: [{ result: 'ok', generation: 3, bytes: 3, at: 1, duration: 0 }] }))).toMatchObject({ progressed: true });
    expect(attemptFacts(rec({ outcome: 'failed', live_uploads: [{ result: 'failed', bytes: 0, at: 1, duration: 0 }] })).progressed).toBe(false);
    expect(attemptFacts(rec({ outcome: 'checkpointed', stage_out: { ...out, result: 'none', generation: undefined } })).progressed).toBe(false);
    // No staging site: a clean end is all the progress there is.
    expect(attemptFacts(rec({ outcome: 'checkpointed' })).progressed).toBe(true);
    expect(attemptFacts(rec({ outcome: 'failed' })).progressed).toBe(false);
  });

  it('names the restored generation by its content', () => {
    const si = { direction: 'in', result: 'ok', url: 'file:///s', generation: 2, files, bytes: 3, duration: 0, attempts: 1 };
    const a = attemptFacts(rec({ outcome: 'failed', stage_in: si })).restored!;
    const b = attemptFacts(rec({ outcome: 'failed', stage_in: { ...si, generation: 3 } })).restored!;
    const c = attemptFacts(rec({ outcome: 'failed', stage_in: { ...si, files: [{ ...files[0], sha256: 'b'.repeat(64) }] } })).restored!;
    expect(a.generation).toBe(2);
    expect(a.content).toBe(b.content);
    expect(a.content).not.toBe(c.content);
    expect(attemptFacts(rec({ outcome: 'failed', stage_in: { ...si, result: 'none', generation: undefined } })).restored).toBeUndefined();
  });
});
