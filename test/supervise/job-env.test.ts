import { describe, expect, it } from 'vitest';
import { cleanEnv, jobIds, sideJobs } from '../../src/supervise/job-env.js';

describe("what the job's environment adds", () => {
  it('cleanEnv drops unset variables', () => {
    expect(cleanEnv({ A: '1', B: undefined, C: '' })).toEqual({ A: '1', C: '' });
  });

  it("the batch system's job ids, the first of each system's variables", () => {
    expect(jobIds({ SLURM_JOB_ID: '17', SLURM_JOBID: '18', CONDOR_JOBID: '3.0', PATH: '/bin' })).toEqual({ slurm: '17', condor: '3.0' });
    expect(jobIds({ SLURM_JOBID: '18', PBS_JOBID: '9.pbs', LSB_JOBID: '4', JOB_ID: '5' })).toEqual({ slurm: '18', pbs: '9.pbs', lsf: '4', sge: '5' });
    expect(jobIds({})).toEqual({});
  });

  it('side jobs: the ones given win over KICKSTART_SETUP/PREJOB/POSTJOB/CLEANUP; empty ones are none', () => {
    const env = { KICKSTART_SETUP: "mkdir -p 'a b'", KICKSTART_PREJOB: 'echo pre', KICKSTART_CLEANUP: '' };
    expect(sideJobs(undefined, env)).toEqual({ setup: ['mkdir', '-p', 'a b'], prejob: ['echo', 'pre'] });
    expect(sideJobs({ prejob: ['true'], postjob: [] }, env)).toEqual({ setup: ['mkdir', '-p', 'a b'], prejob: ['true'] });
  });
});
