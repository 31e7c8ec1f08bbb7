import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { AttemptState } from '../../src/supervise/attempt.js';
import { attemptRecord, type AttemptEnd } from '../../src/supervise/attempt-record.js';
import { makePlan } from '../../src/supervise/plan.js';

function end(more: Partial<AttemptEnd> & { full?: boolean; recordFile?: string | null }): AttemptEnd {
  const plan = makePlan({ argv: ['true'], env: { PATH: '/bin', SECRET_LOOKING: 'x' }, full: more.full, recordFile: more.recordFile ?? null });
  return {
    plan,
    attempt: 2,
    attemptFrom: 'start-marker',
    state: new AttemptState(silentLogger, plan.schedule, false),
    outcome: { outcome: 'completed', exitCode: 0 },
    cwd: '/work',
    jobs: [],
    filesBefore: { 'in.dat': { file_name: 'in.dat', error: 2 } },
    filesAfter: { 'out.dat': { file_name: 'out.dat', error: 2 } },
    slots: [],
    markers: { leftBehind: [{ attempt: 1, started: '2026-12-04T03:00:00.000Z', host: 'n1', pid: 42, id: 'ab' }] },
    logger: silentLogger,
    kickstart: { stageIn: undefined },
    ...more,
  };
}

describe("an attempt's record", () => {
  it('a completed attempt: -S then -s in the files block; no environment, limits or kickstart file', async () => {
    const r = await attemptRecord(end({}));
    expect(Object.keys(r.files)).toEqual(['in.dat', 'out.dat']);
    expect([r.environment, r.limits]).toEqual([undefined, undefined]);
    expect(r.cwd).toBe('/work');
    expect(r.kickstart).toMatchObject({ outcome: 'completed', attempt: 2, attempt_from: 'start-marker', exitcode: 0 });
    expect(r.kickstart.unfinished).toEqual([{ attempt: 1, started: '2026-12-04T03:00:00.000Z', host: 'n1', pid: 42, message: expect.stringContaining('attempt 1') }]);
  });

  it('a failed one (or -f): the environment, the limits and kickstart itself; the log file where there is one', async () => {
    const failed = await attemptRecord(end({ outcome: { outcome: 'failed', exitCode: 1 }, recordFile: '/dev/null' }));
    expect(failed.environment).toMatchObject({ PATH: '/bin' });
    expect(failed.limits).toBeDefined();
    expect(Object.keys(failed.files)).toEqual(['in.dat', 'out.dat', 'kickstart', 'logfile']);
    const full = await attemptRecord(end({ full: true }));
    expect(Object.keys(full.files)).toEqual(['in.dat', 'out.dat', 'kickstart']);
  });

  it("what the transfer step and the automatic deadlines report goes into the kickstart block", async () => {
    const r = await attemptRecord(end({ kickstart: { deadlinePlan: { end: null }, stageOut: { direction: 'out', result: 'none', url: 'file:///s', files: [], bytes: 0, duration: 0, attempts: 1 } } }));
    expect(r.kickstart.deadline).toMatchObject({ plan: { end: null }, fired: false });
    expect(r.kickstart.stage_out).toMatchObject({ result: 'none' });
  });
});
