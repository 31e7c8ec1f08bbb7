import { describe, expect, it } from 'vitest';
import { decided, LivePolicy, settleFor, type FileState, type Snapshot } from '../../src/transfer/live-policy.js';
import type { Collected, CollectedEntry } from '../../src/transfer/collect.js';

/** Pure decisions of live shipping: completeness, the interval gate, checkpoint requests. */
const file = (ino: number, size: number, mtimeMs: number): FileState => ({ type: 'file', ino, size, mtimeMs });
const snap = (entries: Record<string, FileState>): Snapshot => new Map(Object.entries(entries));
const opts = { intervalMs: 500, settleMs: 200 };

describe('live policy', () => {
  it('ships nothing while the files are as they were at the start', () => {
    const base = snap({ ck: file(1, 10, 1000) });
    const p = new LivePolicy(opts, base, 0);
    expect(p.observe(snap({ ck: file(1, 10, 1000) }), 100)).toEqual({ kind: 'idle' });
    expect(p.observe(new Map(), 200)).toEqual({ kind: 'idle' });
  });

  it('ships a file replaced by a rename at once', () => {
    const p = new LivePolicy(opts, snap({ ck: file(1, 10, 1000) }), 0);
    expect(p.observe(snap({ ck: file(2, 10, 1100) }), 100)).toMatchObject({ kind: 'ship' });
  });

  it('ships a file rewritten in place only once it stayed unchanged for the settle time', () => {
    const p = new LivePolicy(opts, snap({ ck: file(1, 10, 1000) }), 0);
    expect(p.observe(snap({ ck: file(1, 4, 1100) }), 100)).toEqual({ kind: 'wait', why: 'settling', wakeInMs: 200, file: 'ck' });
    expect(p.observe(snap({ ck: file(1, 8, 1250) }), 250)).toEqual({ kind: 'wait', why: 'settling', wakeInMs: 200, file: 'ck' });
    expect(p.observe(snap({ ck: file(1, 12, 1400) }), 400).kind).toBe('wait');
    expect(p.observe(snap({ ck: file(1, 12, 1400) }), 599).kind).toBe('wait');
    expect(p.observe(snap({ ck: file(1, 12, 1400) }), 600)).toMatchObject({ kind: 'ship' });
  });

  it('lets a file that appears settle: nothing shows that it was written whole', () => {
    const p = new LivePolicy(opts, new Map(), 0);
    expect(p.observe(snap({ ck: file(7, 3, 50) }), 50).kind).toBe('wait');
    expect(p.observe(snap({ ck: file(7, 3, 50) }), 250)).toMatchObject({ kind: 'ship' });
  });

  it('ships at most once per interval', () => {
    const p = new LivePolicy(opts, snap({ ck: file(1, 1, 0) }), 0);
    const s2 = snap({ ck: file(2, 1, 10) });
    expect(p.observe(s2, 10)).toMatchObject({ kind: 'ship' });
    p.shipping(s2, 10);
    expect(p.observe(s2, 20)).toEqual({ kind: 'idle' });
    const s3 = snap({ ck: file(3, 1, 30) });
    expect(p.observe(s3, 30)).toEqual({ kind: 'wait', why: 'interval', wakeInMs: 480 });
    // Newer versions replace the one that waited: the gate opens on the latest.
    const s4 = snap({ ck: file(4, 1, 300) });
    expect(p.observe(s4, 300)).toEqual({ kind: 'wait', why: 'interval', wakeInMs: 210 });
    expect(p.observe(s4, 510)).toMatchObject({ kind: 'ship' });
  });

  it('counts the files of a failed upload as unshipped again', () => {
    const p = new LivePolicy(opts, snap({ ck: file(1, 1, 0) }), 0);
    const s2 = snap({ ck: file(2, 1, 10) });
    p.shipping(s2, 10);
    p.finished(s2, false);
    expect(p.observe(s2, 100).kind).toBe('wait');
    expect(p.observe(s2, 510)).toMatchObject({ kind: 'ship' });
    p.shipping(s2, 510);
    p.finished(s2, true);
    expect(p.observe(s2, 2000)).toEqual({ kind: 'idle' });
  });

  it('needs every changed file complete; a removed file is a change; directories need no settling', () => {
    const base = snap({ d: { type: 'dir', ino: 5, size: 0, mtimeMs: 0 }, 'd/a': file(1, 1, 0), 'd/b': file(2, 1, 0) });
    const p = new LivePolicy(opts, base, 0);
    const mixed = snap({ d: { type: 'dir', ino: 5, size: 0, mtimeMs: 90 }, 'd/a': file(3, 1, 90), 'd/b': file(2, 2, 90) });
    expect(p.observe(mixed, 100).kind).toBe('wait');
    expect(p.observe(mixed, 300)).toMatchObject({ kind: 'ship' });
    const q = new LivePolicy(opts, base, 0);
    expect(q.observe(snap({ d: { type: 'dir', ino: 5, size: 0, mtimeMs: 90 }, 'd/a': file(1, 1, 0) }), 100)).toMatchObject({ kind: 'ship' });
  });

  it('asks for a checkpoint once per interval and waits for the answer, within bounds', () => {
    const p = new LivePolicy({ ...opts, requestWaitMs: 400 }, snap({ ck: file(1, 1, 0) }), 0);
    expect(p.requestDue(499)).toBe(false);
    expect(p.requestInMs(100)).toBe(400);
    // Written before the request: held back, the answer is coming.
    const early = snap({ ck: file(2, 1, 450) });
    expect(p.observe(early, 450)).toMatchObject({ kind: 'ship' });
    expect(p.requestDue(500)).toBe(true);
    p.requested(500);
    expect(p.requestDue(600)).toBe(false);
    expect(p.observe(early, 520)).toEqual({ kind: 'wait', why: 'request', wakeInMs: 380 });
    const answer = snap({ ck: file(3, 1, 560) });
    expect(p.observe(answer, 560)).toMatchObject({ kind: 'ship' });
    // No answer: the older change goes out when the wait is over.
    const q = new LivePolicy({ ...opts, requestWaitMs: 400 }, snap({ ck: file(1, 1, 0) }), 0);
    q.observe(early, 450);
    q.requested(500);
    expect(q.observe(early, 899).kind).toBe('wait');
    expect(q.observe(early, 900)).toMatchObject({ kind: 'ship' });
    expect(new LivePolicy(opts, new Map(), 0).requestDue(10_000)).toBe(false);
  });

  it('settles for half the interval, within 100 ms and 2 s', () => {
    expect(settleFor(500)).toBe(250);
    expect(settleFor(50)).toBe(100);
    expect(settleFor(600_000)).toBe(2000);
  });

  it('never triggers on companions: they grow all the time and ride along with the next checkpoint', () => {
    const log = (size: number, mtimeMs: number): FileState => ({ ...file(9, size, mtimeMs), companion: true });
    const p = new LivePolicy(opts, snap({ ck: file(1, 10, 0), log: log(100, 0) }), 0);
    // Appended to every few ms, never settles: no trigger, no wait.
    for (let t = 10; t < 2000; t += 50) expect(p.observe(snap({ ck: file(1, 10, 0), log: log(100 + t, t) }), t)).toEqual({ kind: 'idle' });
    // The checkpoint renamed into place: shipped at once, the log not waited for.
    const s = snap({ ck: file(2, 10, 2000), log: log(2100, 2000) });
    expect(p.observe(s, 2000)).toEqual({ kind: 'ship', snap: s });
    // A companion that disappears is no change either.
    const q = new LivePolicy(opts, snap({ ck: file(1, 10, 0), log: log(100, 0) }), 0);
    expect(q.observe(snap({ ck: file(1, 10, 0) }), 100)).toEqual({ kind: 'idle' });
  });

  it('leaves a new glob match that is still being written out of the set instead of waiting for it', () => {
    const fam = (ino: number, size: number, mtimeMs: number): FileState => ({ ...file(ino, size, mtimeMs), family: true });
    const p = new LivePolicy(opts, new Map(), 0);
    // restart.1 written in place: waited for, as any new file.
    expect(p.observe(snap({ 'restart.1': fam(1, 5, 10) }), 10)).toMatchObject({ kind: 'wait', why: 'settling', file: 'restart.1' });
    expect(p.observe(snap({ 'restart.1': fam(1, 9, 100) }), 100)).toMatchObject({ kind: 'wait', why: 'settling' });
    const one = snap({ 'restart.1': fam(1, 9, 100) });
    expect(p.observe(one, 300)).toEqual({ kind: 'ship', snap: one });
    p.shipping(one, 300);
    // restart.2 settled while restart.3 is being written: restart.2 goes, restart.3 is left out.
    const both = snap({ 'restart.1': fam(1, 9, 100), 'restart.2': fam(2, 9, 900), 'restart.3': fam(3, 2, 1050) });
    p.observe(snap({ 'restart.1': fam(1, 9, 100), 'restart.2': fam(2, 9, 900) }), 900);
    const d = p.observe(both, 1150);
    expect(d.kind).toBe('ship');
    expect([...(d as { snap: Snapshot }).snap.keys()]).toEqual(['restart.1', 'restart.2']);
    p.shipping((d as { snap: Snapshot }).snap, 1150);
    // restart.3 is still new to what was shipped: shipped once it settled, never half.
    expect(p.observe(snap({ ...Object.fromEntries(both), 'restart.3': fam(3, 9, 1200) }), 1300)).toMatchObject({ kind: 'wait', why: 'settling', file: 'restart.3' });
    expect(p.observe(snap({ ...Object.fromEntries(both), 'restart.3': fam(3, 9, 1200) }), 1700)).toMatchObject({ kind: 'ship' });
    // A file declared by its own name is waited for: it may be one of a set written together.
    const q = new LivePolicy(opts, new Map(), 0);
    q.observe(snap({ a: file(1, 1, 0), b: file(2, 1, 0) }), 0);
    expect(q.observe(snap({ a: file(1, 1, 0), b: file(2, 2, 250) }), 250)).toMatchObject({ kind: 'wait', why: 'settling', file: 'b' });
  });

  it('decided(): drops checkpoint files the decision did not see and pins the others to the state seen', () => {
    const e = (p: string, more: Partial<CollectedEntry> = {}): CollectedEntry => ({ path: p, abs: `/w/${p}`, type: 'file', size: 9, mode: 0o644, mtimeMs: 5, ino: 1, birthtimeMs: 1, ...more });
    const found: Collected = { entries: [e('d', { type: 'dir' }), e('d/restart.1'), e('d/restart.2', { ino: 2 }), e('log', { ino: 3, companion: true })], missing: [], skipped: [] };
    const seen = snap({ 'd/restart.1': { ...file(1, 9, 5), birthtimeMs: 1 } });
    const out = decided(found, seen).entries;
    expect(out.map((x) => x.path)).toEqual(['d', 'd/restart.1', 'log']);
    expect(out[1].expect).toEqual({ ino: 1, birthtimeMs: 1, size: 9, mtimeMs: 5 });
    expect(out[2].expect).toBeUndefined();
  });
});
