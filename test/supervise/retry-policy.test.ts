import { describe, expect, it } from 'vitest';
import { attemptFacts, BACKOFF_CAP_MS, isCleanOutcome, nextDelay, notePoison } from '../../src/supervise/retry-policy.js';
import { genName, planPrune, scanGenerations } from '../../src/transfer/generations.js';
import { buildManifest, parseManifest, serializeManifest } from '../../src/transfer/manifest.js';

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

describe('poisoned checkpoints (#18 item 4), the pure rule', () => {
  const facts = (attempt: number, generation: number, content: string, more: Partial<ReturnType<typeof attemptFacts>> = {}) => ({
    attempt,
    clean: false,
    progressed: false,
    restored: { generation, content },
    ...more,
  });

  it('K failures in a row from the same content poison every generation that held it', () => {
    let s = notePoison({}, facts(1, 1, 'good'), 2);
    expect(s.distrust).toBeUndefined();
    s = notePoison(s, facts(2, 2, 'junk'), 2);
    expect(s.distrust).toBeUndefined();
    s = notePoison(s, facts(3, 3, 'junk'), 2);
    expect(s.distrust).toEqual({
      generations: [2, 3],
      reason: 'attempts 2 and 3 restored generations 2 and 3 (the same content) and failed without shipping a newer good generation (--poison-after 2)',
    });
    // It holds until progress, across attempts that restore something else.
    s = notePoison(s, facts(4, 1, 'good'), 2);
    expect(s.distrust?.generations).toEqual([2, 3]);
    expect(notePoison(s, facts(5, 1, 'good', { progressed: true }), 2)).toEqual({});
  });

  it('one generation restored K times; K = 3; 0 never', () => {
    let s = notePoison({}, facts(1, 7, 'x'), 1);
    expect(s.distrust).toEqual({ generations: [7], reason: 'attempt 1 restored generation 7 and failed without shipping a newer good generation (--poison-after 1)' });
    s = {};
    for (const a of [1, 2]) s = notePoison(s, facts(a, 7, 'x'), 3);
    expect(s.distrust).toBeUndefined();
    expect(notePoison(s, facts(3, 7, 'x'), 3).distrust?.generations).toEqual([7]);
    s = {};
    for (const a of [1, 2, 3, 4]) s = notePoison(s, facts(a, 7, 'x'), 0);
    expect(s).toEqual({});
  });

  it('a clean end, a start without a checkpoint or a change of content breaks the streak', () => {
    let s = notePoison({}, facts(1, 7, 'x'), 2);
    s = notePoison(s, facts(2, 7, 'x', { clean: true }), 2);
    expect(notePoison(s, facts(3, 7, 'x'), 2).distrust).toBeUndefined();
    s = notePoison({}, facts(1, 7, 'x'), 2);
    s = notePoison(s, { attempt: 2, clean: false, progressed: false }, 2);
    expect(notePoison(s, facts(3, 7, 'x'), 2).distrust).toBeUndefined();
    s = notePoison({}, facts(1, 7, 'x'), 2);
    expect(notePoison(s, facts(2, 8, 'y'), 2).distrust).toBeUndefined();
  });

  it('pruning keeps the protected generation beyond --keep', () => {
    const entry = (key: string) => ({ key, size: 1, mtimeMs: 0 });
    const states = scanGenerations([1, 2, 3, 4].flatMap((g) => [entry(`j/${genName(g)}.manifest.json`), entry(`j/${genName(g)}/c`)]), 'j');
    expect(planPrune(states, 2).generations).toEqual([1, 2]);
    expect(planPrune(states, 2, 1).generations).toEqual([2]);
    expect(planPrune(states, 2, 4).generations).toEqual([1, 2]);
  });

  it('a manifest says whether its generation came from a clean end; absent means clean', () => {
    const m = buildManifest({ job_id: 'j', generation: 1, attempt: 1, host: 'h', time: 't', clean: false, object: { key: 'gen-000001/c', format: 'file', size: 1 }, entries: [{ path: 'c', type: 'file', size: 1, mode: 0o644, mtime: 1, sha256: 'a'.repeat(64) }] });
    const back = parseManifest(serializeManifest(m));
    expect(back.ok && back.manifest.clean).toBe(false);
    const { clean: _c, ...old } = m;
    const legacy = parseManifest(JSON.stringify(old));
    expect(legacy.ok && legacy.manifest.clean).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...m, clean: 'yes' }))).toEqual({ ok: false, message: 'malformed manifest: clean is not true or false' });
  });
});

describe('clean ends', () => {
  it('completed, checkpointed, or kickstart stopped from outside; not a job killed behind its back', () => {
    expect(isCleanOutcome('completed', false)).toBe(true);
    expect(isCleanOutcome('checkpointed', false)).toBe(true);
    expect(isCleanOutcome('killed', true)).toBe(true);
    expect(isCleanOutcome('killed', false)).toBe(false);
    for (const o of ['failed', 'stage-in-failed', 'stage-out-failed', undefined]) expect(isCleanOutcome(o, false)).toBe(false);
  });
});
