import { describe, expect, it } from 'vitest';
import { loadLookup, requireDeadline } from '../../src/supervise/end-lookup.js';

describe("the batch system's end time", () => {
  it('outside a batch job: no end, and why', async () => {
    const lookupEnd = await loadLookup();
    expect(await lookupEnd({ env: { PATH: process.env.PATH ?? '' }, timeoutMs: 2000 })).toMatchObject({ found: false, why: expect.stringMatching(/^not inside a batch job/) });
  });

  // Was a spawned run (test/supervise/auto-deadline.test.ts); the exit code 127 is PlanError's (test/cli/flags.test.ts).
  it('--require-deadline outside a batch job is a PlanError', async () => {
    await expect(requireDeadline({})).rejects.toMatchObject({
      name: 'PlanError',
      message: expect.stringMatching(/^--require-deadline: no end time from a batch system \(not inside a batch job.*\); run inside a batch job, or drop --require-deadline$/),
    });
  });
});
