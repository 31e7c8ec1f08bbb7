import type { Reaper } from '../process/reaper.js';
import type { AttemptState } from './attempt.js';
import { isStarted, startJob, type JobResult, type JobSpec } from './job.js';
import type { StdioSlot } from './stdio.js';

/** A job to run: what startJob takes, with the attempt's stdio slots in place of bare descriptors. */
export interface JobRun extends Omit<JobSpec, 'fds'> {
  stdio: [StdioSlot, StdioSlot, StdioSlot];
}

/** Runs one job to its end under the attempt's deadlines, then ends what it left behind. */
export async function runJob(
  run: JobRun,
  state: AttemptState,
  reaper: Reaper,
  lingerGrace: number,
): Promise<JobResult> {
  const env = { ...run.env, KICKSTART_JOB: state.marker(run.name) };
  const { stdio, ...spec } = run;
  const started = await startJob(
    { ...spec, env, fds: [stdio[0].fd, stdio[1].fd, stdio[2].fd] },
    reaper,
  );
  if (!isStarted(started)) return started;
  state.running(run.name, started.pid, started.helperPid);
  // A deadline that fired while this job was being started must still reach it.
  if (state.deadlineFired && run.name !== 'cleanup') {
    if (run.name === 'mainjob') state.reachedMain();
    state.send('SIGTERM', 'checkpoint-time');
  }
  const result = await started.done;
  state.finished();
  await state.sweep(run.name, lingerGrace);
  return result;
}

