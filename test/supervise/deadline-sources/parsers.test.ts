import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTimeleft } from '../../../src/supervise/deadline-sources/flux.js';
import { parseJobAd } from '../../../src/supervise/deadline-sources/htcondor.js';
import { parseBjobs } from '../../../src/supervise/deadline-sources/lsf.js';
import { parseQstat } from '../../../src/supervise/deadline-sources/pbs.js';
import { parseScontrol, parseSlurmEnv, parseSqueue } from '../../../src/supervise/deadline-sources/slurm.js';
import { clockMs } from '../../../src/supervise/deadline-sources/types.js';
import { ROOT } from '../../helpers/run.js';

const fixture = (f: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'batch', f), 'utf8');
const NOW = 1_796_354_000_000;

describe('clock times', () => {
  it('reads Slurm, PBS and LSF spellings', () => {
    expect(clockMs('01:00:00')).toBe(3_600_000);
    expect(clockMs('1:30')).toBe(90_000); // Slurm/PBS MM:SS
    expect(clockMs('1:30', 'hh:mm')).toBe(5_400_000); // LSF H:MM
    expect(clockMs('2-00:00:00')).toBe(172_800_000);
    expect(clockMs('1-12')).toBe(129_600_000); // Slurm D-HH
    expect(clockMs('45')).toBe(2_700_000); // Slurm: bare minutes
    expect(clockMs('soon')).toBeUndefined();
  });
});

describe('Slurm', () => {
  it('SLURM_JOB_END_TIME (>= 23.02), a year past the start meaning no limit', () => {
    expect(parseSlurmEnv({ SLURM_JOB_END_TIME: '1796354279', SLURM_JOB_START_TIME: '1796354219' })).toEqual({ source: 'slurm-env', end: 1_796_354_279_000 });
    expect(parseSlurmEnv({ SLURM_JOB_END_TIME: String(1796354219 + 365 * 86400), SLURM_JOB_START_TIME: '1796354219' })).toEqual({ source: 'slurm-env', end: null });
    expect(parseSlurmEnv({})).toBeUndefined();
    expect(parseSlurmEnv({ SLURM_JOB_END_TIME: 'Unknown' })).toBeUndefined();
  });

  it("squeue -o '%e %l' with SLURM_TIME_FORMAT=%s", () => {
    expect(parseSqueue('1796354279 1:00\n')).toEqual({ source: 'slurm-squeue', end: 1_796_354_279_000 });
    expect(parseSqueue('1796354279 2-00:00:00')).toEqual({ source: 'slurm-squeue', end: 1_796_354_279_000 });
    expect(parseSqueue('1827890219 UNLIMITED')).toEqual({ source: 'slurm-squeue', end: null });
    // A format we did not ask for (no SLURM_TIME_FORMAT), or nothing (job gone): not understood.
    expect(parseSqueue('2026-12-04T03:17:59 1:00')).toBeUndefined();
    expect(parseSqueue('')).toBeUndefined();
  });

  it('scontrol show job -o: EndTime and TimeLimit', () => {
    expect(parseScontrol(fixture('slurm-scontrol.txt'))).toEqual({ source: 'slurm-scontrol', end: 1_796_354_279_000 });
    const iso = fixture('slurm-scontrol.txt').replace('EndTime=1796354279', 'EndTime=2026-12-04T03:17:59');
    expect(parseScontrol(iso)).toEqual({ source: 'slurm-scontrol', end: new Date(2026, 11, 4, 3, 17, 59).getTime() });
    expect(parseScontrol(fixture('slurm-scontrol.txt').replace('TimeLimit=00:01:00', 'TimeLimit=UNLIMITED'))).toEqual({ source: 'slurm-scontrol', end: null });
    expect(parseScontrol('slurm_load_jobs error: Invalid job id specified')).toBeUndefined();
  });
});

describe('PBS', () => {
  it('Torque/Moab: Walltime.Remaining in seconds', () => {
    expect(parseQstat(fixture('pbs-qstat-torque.txt'), NOW)).toEqual({ source: 'pbs-qstat', end: NOW + 2_995_000 });
  });

  it('PBS Pro: Resource_List.walltime - resources_used.walltime', () => {
    expect(parseQstat(fixture('pbs-qstat-pro.txt'), NOW)).toEqual({ source: 'pbs-qstat', end: NOW + 105 * 60_000 });
  });

  it('no walltime at all: no limit; not a qstat answer: not understood', () => {
    const none = fixture('pbs-qstat-pro.txt').replace(/^.*walltime.*\n/gm, '');
    expect(parseQstat(none, NOW)).toEqual({ source: 'pbs-qstat', end: null });
    expect(parseQstat('qstat: Unknown Job Id 99.pbspro', NOW)).toBeUndefined();
  });
});

describe('LSF', () => {
  it('bjobs -o time_left: hours:minutes and a status letter', () => {
    expect(parseBjobs('0:59 L\n', NOW)).toEqual({ source: 'lsf-bjobs', end: NOW + 59 * 60_000 });
    expect(parseBjobs('12:05 L', NOW)).toEqual({ source: 'lsf-bjobs', end: NOW + (12 * 60 + 5) * 60_000 });
    expect(parseBjobs('00:59:30 L', NOW)).toEqual({ source: 'lsf-bjobs', end: NOW + 3_570_000 }); // -hms
    expect(parseBjobs('0:00 X', NOW)).toEqual({ source: 'lsf-bjobs', end: NOW });
    expect(parseBjobs('-', NOW)).toEqual({ source: 'lsf-bjobs', end: null });
    // An estimate (bsub -We) is not enforced: no end from it.
    expect(parseBjobs('1:00 E', NOW)).toBeUndefined();
    expect(parseBjobs('Job <12> is not found', NOW)).toBeUndefined();
  });
});

describe('Flux', () => {
  it('flux job timeleft: whole seconds, UINT_MAX for no limit', () => {
    expect(parseTimeleft('3244\n', NOW)).toEqual({ source: 'flux-timeleft', end: NOW + 3_244_000 });
    expect(parseTimeleft('0', NOW)).toEqual({ source: 'flux-timeleft', end: NOW });
    expect(parseTimeleft('4294967295', NOW)).toEqual({ source: 'flux-timeleft', end: null });
    expect(parseTimeleft('flux-job: not in a job', NOW)).toBeUndefined();
  });
});

describe('HTCondor', () => {
  it('AllowedExecuteDuration from the current execution start', () => {
    expect(parseJobAd(fixture('htcondor-job-ad.txt'), NOW)).toEqual({ source: 'htcondor-job-ad', end: (1_796_353_800 + 3600) * 1000 });
  });

  it('without it: no limit; not a job ad: not understood', () => {
    expect(parseJobAd(fixture('htcondor-job-ad.txt').replace(/^AllowedExecuteDuration.*\n/m, ''), NOW)).toEqual({ source: 'htcondor-job-ad', end: null });
    expect(parseJobAd('', NOW)).toBeUndefined();
  });
});
