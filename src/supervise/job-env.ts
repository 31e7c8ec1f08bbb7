import type { JobName } from '../record/types.js';
import { splitCommandLine } from './command-line.js';

/**
 * What the job's environment adds to a run (pegasus-kickstart's variables):
 * side jobs from KICKSTART_SETUP/PREJOB/POSTJOB/CLEANUP, and the batch
 * system's job ids. Pure: the environment comes in as a plain object.
 */
export type SideJob = Exclude<JobName, 'mainjob'>;

const SIDE_ENV: Record<SideJob, string> = {
  setup: 'KICKSTART_SETUP',
  prejob: 'KICKSTART_PREJOB',
  postjob: 'KICKSTART_POSTJOB',
  cleanup: 'KICKSTART_CLEANUP',
};

const JOBID_ENV: [string, string][] = [
  ['CONDOR_JOBID', 'condor'],
  ['SLURM_JOB_ID', 'slurm'],
  ['SLURM_JOBID', 'slurm'],
  ['PBS_JOBID', 'pbs'],
  ['LSB_JOBID', 'lsf'],
  ['JOB_ID', 'sge'],
];

export function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** The batch system's job ids, for `jobids:` and the default staging job id. */
export function jobIds(env: Record<string, string>): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const [name, key] of JOBID_ENV) if (env[name] && !ids[key]) ids[key] = env[name];
  return ids;
}

/** Side jobs' command lines: the ones given, else the environment's; empty ones are left out. */
export function sideJobs(given: Partial<Record<SideJob, string[]>> | undefined, env: Record<string, string>): Partial<Record<SideJob, string[]>> {
  const out: Partial<Record<SideJob, string[]>> = {};
  for (const name of Object.keys(SIDE_ENV) as SideJob[]) {
    const line = given?.[name] ?? (env[SIDE_ENV[name]] ? splitCommandLine(env[SIDE_ENV[name]]) : undefined);
    if (line && line.length > 0) out[name] = line;
  }
  return out;
}
