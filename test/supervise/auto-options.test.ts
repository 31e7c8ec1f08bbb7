import { describe, expect, it } from 'vitest';
import { autoOptions, DEFAULT_REFRESH_MS } from '../../src/supervise/auto-options.js';
import type { SuperviseOptions } from '../../src/supervise/options.js';

const auto = (o: Partial<SuperviseOptions>) => autoOptions({ argv: ['true'], ...o });

describe('the automatic deadlines options', () => {
  it('none of them: undefined', () => {
    expect(auto({})).toBeUndefined();
    expect(auto({ maxWalltime: 60_000, checkpointTime: 30_000 })).toBeUndefined();
  });

  it('checked into seconds and a refresh interval', () => {
    expect(auto({ maxWalltime: 'auto' })).toEqual({ batch: true, refreshMs: DEFAULT_REFRESH_MS, checkpointCost: undefined, totalWalltime: undefined, interval: undefined });
    expect(auto({ totalWalltime: 3_600_000, checkpointCost: 30_000, deadlineRefresh: 5_000, checkpointInterval: 'auto', checkpointOverhead: 0.05 })).toEqual({
      batch: false,
      refreshMs: 5_000,
      checkpointCost: 30,
      totalWalltime: 3600,
      interval: { overhead: 0.05 },
    });
  });

  // These were spawned usage runs (test/supervise/auto-deadline.test.ts): the options alone decide them.
  it.each<[Partial<SuperviseOptions>, RegExp]>([
    [{ maxWalltime: 'auto', checkpointTime: 300_000 }, /^--checkpoint-time DUR cannot be combined with automatic deadlines/],
    [{ maxWalltime: 600_000, totalWalltime: 3_600_000 }, /^--total-walltime plans its own deadlines/],
    [{ checkpointTime: 'auto' }, /^--checkpoint-time auto needs --max-walltime auto/],
    [{ maxWalltime: 'auto', deadlineRefresh: 100 }, /^--deadline-refresh must be 1s or more/],
    [{ checkpointOverhead: 0.05 }, /^--checkpoint-overhead needs --checkpoint-interval auto/],
    [{ maxWalltime: 'auto', checkpointInterval: 'auto', checkpointOverhead: 1 }, /^--checkpoint-overhead takes a share above 0% and below 100%/],
    [{ requireDeadline: true }, /^--require-deadline needs --max-walltime auto/],
    [{ checkpointInterval: 'auto' }, /^--checkpoint-interval auto needs --max-walltime auto or --total-walltime/],
    [{ deadlineRefresh: 30_000 }, /^--deadline-refresh needs --max-walltime auto/],
    [{ checkpointCost: 30_000 }, /^--checkpoint-cost needs --max-walltime auto or --total-walltime/],
    [{ maxWalltime: 'auto', termAfter: 1000 }, /^-k\/-K cannot be combined/],
    [{ totalWalltime: 0 }, /^--total-walltime must be greater than 0/],
  ])('%j is a PlanError', (o, message) => {
    expect(() => auto(o)).toThrow(expect.objectContaining({ name: 'PlanError', message: expect.stringMatching(message) }));
  });
});
