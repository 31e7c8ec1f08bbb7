import { describe, expect, it } from 'vitest';
import { deadlinePlanRecord, type DeadlinePlanFacts } from '../../src/supervise/auto-deadline-record.js';
import type { AttemptEntry } from '../../src/transfer/deadline-history.js';

const earlier: AttemptEntry[] = [
  { attempt: 1, start: '2026-12-04T03:00:00.000Z', duration: 100, outcome: 'checkpointed', write: 4, ship: 2 },
  { attempt: 2, start: '2026-12-04T03:10:00.000Z', duration: 50.5, outcome: 'checkpointed' },
];
const facts = (more: Partial<DeadlinePlanFacts>): DeadlinePlanFacts => ({
  entry: { attempt: 3, start: '2026-12-04T03:20:00.000Z' },
  earlier,
  ends: [],
  endFrom: 'none',
  spent: false,
  write: { seconds: 4, rule: 'learned', samples: [4] },
  ship: { seconds: 2, rule: 'learned', samples: [2] },
  marginS: 30,
  ...more,
});

describe('kickstart.deadline.plan', () => {
  it('the batch end it planned from, its estimates and what it measured', () => {
    const ends = [{ at: 0, end: '2026-12-04T04:20:00.000Z', source: 'slurm', term_at: 3560, kill_at: 3590 }];
    const entry = { attempt: 3, start: '2026-12-04T03:20:00.000Z', end: '2026-12-04T04:20:00.000Z', outcome: 'checkpointed', write: 3.5, ship: 1 };
    expect(deadlinePlanRecord(facts({ entry, ends, endFrom: 'batch' }))).toEqual({
      end: '2026-12-04T04:20:00.000Z',
      end_from: 'slurm',
      ends_seen: ends,
      write_estimate: { seconds: 4, rule: 'learned', samples: [4] },
      ship_estimate: { seconds: 2, rule: 'learned', samples: [2] },
      margin: 30,
      measured: { write: 3.5, ship: 1 },
      history_attempts: 2,
      budget: undefined,
      interval: undefined,
    });
  });

  it('a budget: what was spent before and what was left; a spent one planned nothing', () => {
    const r = deadlinePlanRecord(facts({ endFrom: 'budget', totalWalltime: 200 }));
    expect(r).toMatchObject({ end: null, end_from: 'total-walltime', measured: undefined, budget: { total: 200, spent_before: 150.5, left_at_start: 49.5 } });
    const spent = deadlinePlanRecord(facts({ spent: true, write: undefined, ship: undefined, totalWalltime: 100 }));
    expect(spent).toMatchObject({ end_from: 'budget', write_estimate: undefined, margin: undefined, budget: { total: 100, spent_before: 150.5, left_at_start: 0 } });
  });

  it('no end at all', () => {
    expect(deadlinePlanRecord(facts({ entry: { attempt: 3, start: 'x', outcome: 'completed' } }))).toMatchObject({ end: null, end_from: 'none', measured: undefined });
  });
});
