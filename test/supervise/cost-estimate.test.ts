import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MTBI,
  budgetSpent,
  chooseInterval,
  deadlineTimes,
  estimateShip,
  estimateWrite,
  margin,
  quantile,
} from '../../src/supervise/cost-estimate.js';
import { emptyHistory, parseHistory, serialize, withAttempt, type AttemptEntry } from '../../src/transfer/deadline-history.js';

const entry = (attempt: number, more: Partial<AttemptEntry>): AttemptEntry => ({ attempt, start: `2026-12-04T03:0${attempt}:00.000Z`, outcome: 'checkpointed', duration: 60, ...more });

describe('cost estimates', () => {
  it('nearest-rank p90', () => {
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([3, 1, 2], 0.9)).toBe(3);
  });

  it('first attempt: a share of the time left, within bounds, or --checkpoint-cost split between write and ship', () => {
    expect(estimateWrite([], 58)).toEqual({ seconds: 2.9, rule: 'default', samples: [] });
    expect(estimateWrite([], 5).seconds).toBe(1);
    expect(estimateShip([], 36_000).seconds).toBe(300);
    expect(estimateWrite([], 3600, 120)).toEqual({ seconds: 60, rule: 'checkpoint-cost', samples: [] });
  });

  it('learned: p90 of the last five measurements times 1.5, never under the floor', () => {
    const h = [1, 2, 3, 4, 5, 6].map((i) => entry(i, { write: i, ship: 0.1, bytes: 100 }));
    const w = estimateWrite(h, 60);
    expect(w.rule).toBe('learned');
    expect(w.samples).toEqual([2, 3, 4, 5, 6]);
    expect(w.seconds).toBe(9);
    expect(estimateShip(h, 60).seconds).toBe(0.5); // 0.1 * 1.5 is under the floor
  });

  it('ship: scaled up to the newest generation size, never down', () => {
    const h = [entry(1, { ship: 2, bytes: 1000 }), entry(2, { ship: 2, bytes: 4000 }), entry(3, { ship: 1, bytes: 500 })];
    // Newest is 500 bytes: nothing scaled down. p90 of [2, 2, 1] = 2 -> 3 s.
    expect(estimateShip(h, 60).seconds).toBe(3);
    const grown = [...h, entry(4, { bytes: 8000 })];
    // Scaled to 8000 bytes: [16, 4, 16] -> p90 16 -> 24 s.
    expect(estimateShip(grown, 60).samples).toEqual([16, 4, 16]);
    expect(estimateShip(grown, 60).seconds).toBe(24);
  });

  it('margin: a share of the time left, between 2 s and a minute', () => {
    expect(margin(10)).toBe(2);
    expect(margin(100)).toBe(5);
    expect(margin(100_000)).toBe(60);
  });

  it('TERM at end - (write + ship + margin), KILL at end - (ship + margin), never before the start', () => {
    const start = 1_000_000;
    expect(deadlineTimes({ end: start + 60_000, start, write: 3, ship: 2, margin: 5 })).toEqual({ termAt: 50_000, killAt: 53_000 });
    expect(deadlineTimes({ end: start + 4_000, start, write: 3, ship: 2, margin: 5 })).toEqual({ termAt: 0, killAt: 0 });
  });

  it('budget: the durations of every attempt so far, running ones as far as they got', () => {
    expect(budgetSpent([entry(1, { duration: 10.5 }), entry(2, { duration: 4, outcome: undefined }), entry(3, { duration: undefined })])).toBe(14.5);
  });
});

describe('checkpoint interval rules', () => {
  it("Young's sqrt(2 C M), M the default without interruptions", () => {
    const c = chooseInterval(2, []);
    expect(c).toMatchObject({ rule: 'young', mtbi: DEFAULT_MTBI, mtbiFrom: 'default', interruptions: 0 });
    expect(c.interval).toBeCloseTo(Math.sqrt(2 * 2 * DEFAULT_MTBI), 2);
  });

  it('M from the history: time run over attempts killed or never finished', () => {
    const h = [entry(1, { duration: 3000, outcome: 'killed' }), entry(2, { duration: 3000, outcome: 'checkpointed' }), entry(3, { duration: 1000, outcome: undefined })];
    const c = chooseInterval(10, h);
    expect(c).toMatchObject({ mtbi: 3500, mtbiFrom: 'history', interruptions: 2, rule: 'young' });
    expect(c.interval).toBeCloseTo(Math.sqrt(2 * 10 * 3500), 2);
  });

  it('--checkpoint-overhead caps the share of time spent checkpointing', () => {
    const h = [entry(1, { duration: 100, outcome: 'killed' })];
    // Young: sqrt(2 * 10 * 100) = 44.7 s; 5% overhead needs 10 * 0.95 / 0.05 = 190 s.
    const c = chooseInterval(10, h, 0.05);
    expect(c.rule).toBe('overhead-cap');
    expect(c.interval).toBe(190);
    expect(chooseInterval(10, h, 0.5).rule).toBe('young');
  });
});

describe('the deadline history object', () => {
  it('replaces its own attempt entry, adds others, and round-trips', () => {
    let h = emptyHistory('job');
    h = withAttempt(h, entry(1, { outcome: undefined }));
    h = withAttempt(h, entry(1, { write: 0.2 }));
    h = withAttempt(h, entry(2, {}));
    expect(h.attempts.map((a) => [a.attempt, a.write])).toEqual([[1, 0.2], [2, undefined]]);
    expect(parseHistory(Buffer.from(serialize(h)).toString(), 'job')).toEqual({ history: h });
  });

  it('a damaged or foreign object counts as none, with the reason', () => {
    expect(parseHistory('{', 'job').problem).toMatch(/not JSON/);
    expect(parseHistory(JSON.stringify({ ...emptyHistory('other') }), 'job').problem).toMatch(/history of job job/);
  });
});
