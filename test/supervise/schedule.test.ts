import { describe, expect, it } from 'vitest';
import { schedule } from '../../src/supervise/deadlines.js';
import { parseDuration } from '../../src/supervise/duration.js';
import { decideOutcome, worthRetrying } from '../../src/supervise/outcome.js';
import { splitCommandLine } from '../../src/supervise/command-line.js';

describe('durations', () => {
  it.each([
    ['90s', 90_000], ['2m', 120_000], ['1.5h', 5_400_000], ['500ms', 500], ['10', 600_000], ['0.5', 30_000], ['1d', 86_400_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it('bare seconds for -k/-K', () => expect(parseDuration('3', 's')).toBe(3000));
  it.each(['', 'soon', '5 parsecs', '-3s', '1e3'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('deadline schedule', () => {
  it('SIGKILL halfway between checkpoint time and max walltime', () => {
    expect(schedule({ checkpointTime: 60_000, maxWalltime: 120_000 })).toEqual({
      ok: true,
      schedule: { termAt: 60_000, killAt: 90_000, graceMs: 30_000 },
    });
  });
  it('max walltime alone: TERM 300 s before, or 10 s before when that is not positive', () => {
    expect(schedule({ maxWalltime: 3_600_000 })).toMatchObject({ schedule: { termAt: 3_300_000, killAt: 3_450_000 } });
    expect(schedule({ maxWalltime: 120_000 })).toMatchObject({ schedule: { termAt: 110_000, killAt: 115_000 } });
    expect(schedule({ maxWalltime: 5_000 })).toMatchObject({ ok: false, message: expect.stringContaining('too short') });
  });
  it('-k/-K, with -K defaulting to 5 s', () => {
    expect(schedule({ termAfter: 1000 })).toMatchObject({ schedule: { termAt: 1000, killAt: 6000 } });
    expect(schedule({ termAfter: 1000, killAfter: 2000 })).toMatchObject({ schedule: { termAt: 1000, killAt: 3000 } });
  });
  it.each([
    [{ checkpointTime: 2000, maxWalltime: 1000 }, 'must be greater than'],
    [{ checkpointTime: 2000, maxWalltime: 2000 }, 'must be greater than'],
    [{ checkpointTime: 2000 }, 'needs --max-walltime'],
    [{ killAfter: 2000 }, '-K needs -k'],
    [{ termAfter: 1000, maxWalltime: 9000 }, 'cannot be combined'],
    [{ termAfter: 0 }, 'greater than 0'],
  ])('%j is refused', (input, message) => {
    const r = schedule(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
  it('no deadline at all', () => expect(schedule({})).toEqual({ ok: true, schedule: { graceMs: 5000 } }));
});

describe('outcome', () => {
  const main = (f: object) => ({ name: 'mainjob' as const, ...f });
  const base = { deadlineFired: false, checkpointExitCode: 14 };
  const ok = { direction: 'out' as const, result: 'ok' as const, url: 'file:///x', files: [], bytes: 0, duration: 0, attempts: 1 };
  const failed = { ...ok, result: 'failed' as const };
  it.each([
    [{ ...base, jobs: [main({ exitCode: 0 })] }, 'completed', 0],
    [{ ...base, jobs: [main({ exitCode: 3 })] }, 'failed', 3],
    [{ ...base, jobs: [main({ signal: 9 })] }, 'killed', 137],
    [{ ...base, jobs: [main({ signal: 11 })] }, 'failed', 139],
    [{ ...base, jobs: [main({ startErrno: 2 })] }, 'failed', 127],
    [{ ...base, jobs: [main({ startErrno: 13 })] }, 'failed', 126],
    [{ ...base, deadlineFired: true, jobs: [main({ exitCode: 0 })] }, 'checkpointed', 14],
    [{ ...base, deadlineFired: true, checkpointExitCode: 85, jobs: [main({ signal: 9 })], stageOut: ok }, 'checkpointed', 85],
    [{ ...base, deadlineFired: true, jobs: [main({ exitCode: 0 })], stageOut: failed }, 'stage-out-failed', 21],
    [{ ...base, jobs: [main({ exitCode: 0 })], stageOut: failed }, 'stage-out-failed', 21],
    [{ ...base, jobs: [main({ exitCode: 2 })], stageOut: failed }, 'failed', 2],
    [{ ...base, jobs: [], stageIn: { ...failed, direction: 'in' as const } }, 'stage-in-failed', 20],
    [{ ...base, stoppedBy: 15, jobs: [main({ exitCode: 0 })] }, 'killed', 143],
    [{ ...base, jobs: [{ name: 'prejob' as const, exitCode: 4 }] }, 'failed', 4],
    [{ ...base, jobs: [main({ exitCode: 0 }), { name: 'postjob' as const, exitCode: 6 }] }, 'failed', 6],
  ])('%j -> %s %i', (input, outcome, code) => {
    expect(decideOutcome(input as any)).toMatchObject({ outcome, exitCode: code });
  });
  it('retries what another attempt could fix, not a stop from outside or a missing program', () => {
    expect(worthRetrying({ outcome: 'checkpointed', exitCode: 14 }, false)).toBe(true);
    expect(worthRetrying({ outcome: 'failed', exitCode: 1 }, false)).toBe(true);
    expect(worthRetrying({ outcome: 'completed', exitCode: 0 }, false)).toBe(false);
    expect(worthRetrying({ outcome: 'killed', exitCode: 143 }, true)).toBe(false);
    expect(worthRetrying({ outcome: 'failed', exitCode: 127, notStarted: true }, false)).toBe(false);
  });
});

describe('side job command lines', () => {
  it.each([
    ['echo a  b', ['echo', 'a', 'b']],
    [`printf '%s' "x y" z\\ w`, ['printf', '%s', 'x y', 'z w']],
    [`sh -c 'echo $HOME'`, ['sh', '-c', 'echo $HOME']],
    [`a "" b`, ['a', '', 'b']],
    [`"say \\"hi\\""`, ['say "hi"']],
  ])('%s', (text, words) => expect(splitCommandLine(text)).toEqual(words));
});
