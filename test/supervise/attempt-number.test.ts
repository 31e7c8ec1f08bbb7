import { describe, expect, it } from 'vitest';
import { chooseFirstAttempt, restartCount } from '../../src/supervise/attempt-number.js';

const none = { markers: [] };

describe("the first attempt's number without --attempt", () => {
  it('--attempt always wins, over the restart count and every trace', () => {
    expect(chooseFirstAttempt({ given: 7, restart: { from: 'SLURM_RESTART_COUNT', count: 2 }, markers: [9], manifest: 12 })).toEqual({ attempt: 7, from: '--attempt' });
    expect(chooseFirstAttempt({ given: 1, markers: [3] })).toEqual({ attempt: 1, from: '--attempt' });
  });

  it("otherwise the highest of the batch system's restart count + 1 and what earlier attempts left", () => {
    expect(chooseFirstAttempt({ restart: { from: 'SLURM_RESTART_COUNT', count: 2 }, markers: [], manifest: 1 })).toEqual({ attempt: 3, from: 'SLURM_RESTART_COUNT' });
    // --retries ran attempts up to 6 in an allocation before the requeue: the count alone would repeat 3.
    expect(chooseFirstAttempt({ restart: { from: 'SLURM_RESTART_COUNT', count: 2 }, markers: [5], manifest: 6 })).toEqual({ attempt: 7, from: 'manifest' });
    // A tie goes to the batch system's own count.
    expect(chooseFirstAttempt({ restart: { from: 'SLURM_RESTART_COUNT', count: 3 }, markers: [3] })).toEqual({ attempt: 4, from: 'SLURM_RESTART_COUNT' });
  });

  it('then one more than the highest of the start markers left behind and the newest manifest', () => {
    expect(chooseFirstAttempt({ markers: [1] })).toEqual({ attempt: 2, from: 'start-marker' });
    expect(chooseFirstAttempt({ markers: [2, 4, 3], manifest: 3 })).toEqual({ attempt: 5, from: 'start-marker' });
    expect(chooseFirstAttempt({ markers: [], manifest: 3 })).toEqual({ attempt: 4, from: 'manifest' });
    expect(chooseFirstAttempt({ markers: [2], manifest: 3 })).toEqual({ attempt: 4, from: 'manifest' });
    // Attempt 3 shipped a generation, then died: the marker says so too.
    expect(chooseFirstAttempt({ markers: [3], manifest: 3 })).toEqual({ attempt: 4, from: 'start-marker' });
  });

  it('else 1', () => {
    expect(chooseFirstAttempt(none)).toEqual({ attempt: 1, from: 'default' });
    // The manifest format allows attempt 0: no earlier attempt then.
    expect(chooseFirstAttempt({ markers: [], manifest: 0 })).toEqual({ attempt: 1, from: 'default' });
  });
});

describe("the batch system's restart count", () => {
  it('SLURM_RESTART_COUNT from 1 up', () => {
    expect(restartCount({ SLURM_RESTART_COUNT: '1' })).toEqual({ from: 'SLURM_RESTART_COUNT', count: 1 });
    expect(restartCount({ SLURM_RESTART_COUNT: ' 12\n' })).toEqual({ from: 'SLURM_RESTART_COUNT', count: 12 });
  });

  it('none when unset, 0 (newer Slurm sets 0 on a new allocation, older leaves it unset) or not a count', () => {
    for (const v of [undefined, '', '0', '00', '-1', '1.5', 'x', '1e3', '99999999999']) {
      expect(restartCount(v === undefined ? {} : { SLURM_RESTART_COUNT: v }), String(v)).toBeUndefined();
    }
  });

  it("LSF's LSB_RESTART (only Y, no count) and other systems' variables give none", () => {
    expect(restartCount({ LSB_RESTART: 'Y', LSB_JOBID: '4', PBS_JOBID: '9.pbs', CONDOR_JOBID: '3.0' })).toBeUndefined();
  });
});
