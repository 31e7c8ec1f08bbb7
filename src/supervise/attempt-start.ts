import { mkdirSync, statSync } from 'node:fs';
import type { Logger } from '../log.js';
import { Monitor } from '../monitor/index.js';
import type { AttemptState } from './attempt.js';
import { failureStatus } from '../record/signals.js';
import { isoMillis } from '../record/time.js';
import type { JobName, JobRecord } from '../record/types.js';
import { ZERO_USAGE, type JobResult } from './job.js';
import type { Plan } from './plan.js';
import { openStdio, type StdioSlot } from './stdio.js';

/**
 * What an attempt sets up before its first job (the working directory, the
 * job's stdio) and the record of a start that failed: each problem is one
 * logged line and a record, never an internal error.
 */

export function prepareWorkdir(plan: Plan): { message: string; errno: number } | undefined {
  if (!plan.workdir) return undefined;
  try {
    if (plan.createWorkdir) mkdirSync(plan.cwd, { recursive: true });
    if (!statSync(plan.cwd).isDirectory()) {
      return { message: `working directory ${plan.cwd} is not a directory: give a directory with -w`, errno: 20 };
    }
    return undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint = plan.createWorkdir ? 'check the permissions of its parent' : 'create it first, or use -W to have kickstart create it';
    return { message: `cannot use working directory ${plan.cwd}: ${err.code ?? err.message}; ${hint}`, errno: -(err.errno ?? -2) };
  }
}

/**
 * Opens the job's stdin/stdout/stderr into `slots` (so whatever opened is
 * closed later); a spec that cannot be opened (-i missing file, -o in a
 * missing directory) fails the start like a bad working directory does:
 * one logged line and a record, never an internal error.
 */
export function openJobStdio(plan: Plan, cwd: string, slots: StdioSlot[]): { message: string; errno: number } | undefined {
  for (const [name, flag] of [['stdin', '-i'], ['stdout', '-o'], ['stderr', '-e']] as const) {
    try {
      slots.push(openStdio(name, plan[name], cwd));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { message: `cannot open the job's ${name} ${plan[name]} (${flag}): ${err.code ?? err.message}; give a file that can be opened`, errno: -(err.errno ?? -2) };
    }
  }
  return undefined;
}

export function failedStart(name: JobName, argv: string[], errno: number): JobResult {
  const record: JobRecord = {
    start: isoMillis(0),
    duration: 0,
    usage: ZERO_USAGE,
    status: failureStatus(errno),
    executable: { error: errno, file_name: argv[0] ?? '' },
    argument_vector: argv.slice(1),
  };
  return { name, record, startErrno: errno };
}

/** Resource sampling of the main job's tree, started just before it (--monitor-interval). */
export function startMonitor(plan: Plan, state: AttemptState, attempt: number, first: boolean, logger: Logger): Monitor | undefined {
  if (plan.monitorInterval === 0) return undefined;
  const monitor = new Monitor({
    intervalMs: plan.monitorInterval,
    pids: () => state.processes(),
    clock: () => state.elapsed(),
    metricsFile: plan.metricsFile,
    // The first attempt of this kickstart truncates --metrics; the rest append.
    append: !first,
    attempt,
    onError: (what, error) => logger.warn({ error: String(error) }, what === 'metrics' ? `cannot write --metrics ${plan.metricsFile}` : 'resource sampling failed'),
  });
  monitor.start();
  return monitor;
}
