import { describe, expect, it } from 'vitest';
import { LivePolicy, settleFor, type FileState, type Snapshot } from '../../src/transfer/live-policy.js';

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
    expect(p.observe(snap({ ck: file(2, 10, 1100) }), 100)).toEqual({ kind: 'ship' });
  });

  it('ships a file rewritten in place only once it stayed unchanged for the settle time', () => {
    const p = new LivePolicy(opts, snap({ ck: file(1, 10, 1000) }), 0);
    expect(p.observe(snap({ ck: file(1, 4, 1100) }), 100)).toEqual({ kind: 'wait', why: 'settling', wakeInMs: 200 });
    expect(p.observe(snap({ ck: file(1, 8, 1250) }), 250)).toEqual({ kind: 'wait', why: 'settling', wakeInMs: 200 });
    expect(p.observe(snap({ ck: file(1, 12, 1400) }), 400).kind).toBe('wait');
    expect(p.observe(snap({ ck: file(1, 12, 1400) }), 599).kind).toBe('wait');
    expect(p.observe(snap({ ck: file(1, 12, 1400) }), 600)).toEqual({ kind: 'ship' });
  });

  it('lets a file that appears settle: nothing shows that it was written whole', () => {
    const p = new LivePolicy(opts, new Map(), 0);
    expect(p.observe(snap({ ck: file(7, 3, 50) }), 50).kind).toBe('wait');
    expect(p.observe(snap({ ck: file(7, 3, 50) }), 250)).toEqual({ kind: 'ship' });
  });

  it('ships at most once per interval', () => {
    const p = new LivePolicy(opts, snap({ ck: file(1, 1, 0) }), 0);
    const s2 = snap({ ck: file(2, 1, 10) });
    expect(p.observe(s2, 10)).toEqual({ kind: 'ship' });
    p.shipping(s2, 10);
    expect(p.observe(s2, 20)).toEqual({ kind: 'idle' });
    const s3 = snap({ ck: file(3, 1, 30) });
    expect(p.observe(s3, 30)).toEqual({ kind: 'wait', why: 'interval', wakeInMs: 480 });
    // Newer versions replace the one that waited: the gate opens on the latest.
    const s4 = snap({ ck: file(4, 1, 300) });
    expect(p.observe(s4, 300)).toEqual({ kind: 'wait', why: 'interval', wakeInMs: 210 });
    expect(p.observe(s4, 510)).toEqual({ kind: 'ship' });
  });

  it('counts the files of a failed upload as unshipped again', () => {
    const p = new LivePolicy(opts, snap({ ck: file(1, 1, 0) }), 0);
    const s2 = snap({ ck: file(2, 1, 10) });
    p.shipping(s2, 10);
    p.finished(s2, false);
    expect(p.observe(s2, 100).kind).toBe('wait');
    expect(p.observe(s2, 510)).toEqual({ kind: 'ship' });
    p.shipping(s2, 510);
    p.finished(s2, true);
    expect(p.observe(s2, 2000)).toEqual({ kind: 'idle' });
  });

  it('needs every changed file complete; a removed file is a change; directories need no settling', () => {
    const base = snap({ d: { type: 'dir', ino: 5, size: 0, mtimeMs: 0 }, 'd/a': file(1, 1, 0), 'd/b': file(2, 1, 0) });
    const p = new LivePolicy(opts, base, 0);
    const mixed = snap({ d: { type: 'dir', ino: 5, size: 0, mtimeMs: 90 }, 'd/a': file(3, 1, 90), 'd/b': file(2, 2, 90) });
    expect(p.observe(mixed, 100).kind).toBe('wait');
    expect(p.observe(mixed, 300)).toEqual({ kind: 'ship' });
    const q = new LivePolicy(opts, base, 0);
    expect(q.observe(snap({ d: { type: 'dir', ino: 5, size: 0, mtimeMs: 90 }, 'd/a': file(1, 1, 0) }), 100)).toEqual({ kind: 'ship' });
  });

  it('asks for a checkpoint once per interval and waits for the answer, within bounds', () => {
    const p = new LivePolicy({ ...opts, requestWaitMs: 400 }, snap({ ck: file(1, 1, 0) }), 0);
    expect(p.requestDue(499)).toBe(false);
    expect(p.requestInMs(100)).toBe(400);
    // Written before the request: held back, the answer is coming.
    const early = snap({ ck: file(2, 1, 450) });
    expect(p.observe(early, 450)).toEqual({ kind: 'ship' });
    expect(p.requestDue(500)).toBe(true);
    p.requested(500);
    expect(p.requestDue(600)).toBe(false);
    expect(p.observe(early, 520)).toEqual({ kind: 'wait', why: 'request', wakeInMs: 380 });
    const answer = snap({ ck: file(3, 1, 560) });
    expect(p.observe(answer, 560)).toEqual({ kind: 'ship' });
    // No answer: the older change goes out when the wait is over.
    const q = new LivePolicy({ ...opts, requestWaitMs: 400 }, snap({ ck: file(1, 1, 0) }), 0);
    q.observe(early, 450);
    q.requested(500);
    expect(q.observe(early, 899).kind).toBe('wait');
    expect(q.observe(early, 900)).toEqual({ kind: 'ship' });
    expect(new LivePolicy(opts, new Map(), 0).requestDue(10_000)).toBe(false);
  });

  it('settles for half the interval, within 100 ms and 2 s', () => {
    expect(settleFor(500)).toBe(250);
    expect(settleFor(50)).toBe(100);
    expect(settleFor(600_000)).toBe(2000);
  });
});
