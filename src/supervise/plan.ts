import { accessSync, constants as fsConstants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MarkerStore } from './markers.js';
import { splitCommandLine } from './command-line.js';
import { DEFAULT_KILL_AFTER, schedule, type Schedule } from './deadlines.js';
import { expandStatLists } from './stat-list.js';
import { autoOptions, type AutoOptions } from './auto-options.js';
import { argFileLines } from './arg-file.js';
import { cleanEnv, jobIds, sideJobs, type SideJob } from './job-env.js';
import { PlanError } from './plan-error.js';
import { restartCount, type RestartCount } from './attempt-number.js';
import type { TransferStep } from './transfer-step.js';
import {
  DEFAULT_CHECKPOINT_EXIT_CODE,
  DEFAULT_LINGER_GRACE,
  DEFAULT_MONITOR_INTERVAL,
  DEFAULT_TAIL_BYTES,
  type StatRequest,
  type SuperviseOptions,
} from './options.js';

export { PlanError };

/** Options resolved once into what the attempts run: no defaults left to apply later. */
export interface Plan {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  workdir?: string;
  createWorkdir: boolean;
  sideJobs: Partial<Record<SideJob, string[]>>;
  schedule: Schedule;
  /** --max-walltime auto / --total-walltime: deadlines planned at each attempt's start. */
  auto?: AutoOptions;
  /** --require-deadline. */
  requireDeadline: boolean;
  checkpointExitCode: number;
  stdin?: string;
  stdout?: string;
  stderr?: string;
  tailBytes: number | 'all';
  quiet: boolean;
  full: boolean;
  noMachine: boolean;
  makeExecutable: boolean;
  trace: boolean;
  statBefore: StatRequest[];
  statAfter: StatRequest[];
  transformation?: string;
  derivation?: string;
  resource?: string;
  wfLabel?: string;
  wfStamp?: string;
  jobids: Record<string, string>;
  lingerGrace: number;
  subreaper: boolean;
  censusMaxAge: number;
  retries: number;
  retryDelay: number;
  /** --poison-after: failed attempts in a row from one generation before stage-in rolls back past it. */
  poisonAfter: number;
  /** --attempt: the first attempt's number, as given. */
  attempt?: number;
  /** The batch system's restart count: numbers the first attempt when --attempt is not given (attempt-number.ts). */
  restart?: RestartCount;
  transfer?: TransferStep;
  /** Where start markers go: the staging site, else beside the -l record file; none without either. */
  markers?: MarkerStore;
  /** ms between resource samples of the main job; 0: off. */
  monitorInterval: number;
  /** --metrics, absolute. */
  metricsFile?: string;
  /** -l, absolute (undefined: stdout; null: not written), stat'ed into full records as files.logfile. */
  recordFile?: string | null;
  /** The kickstart program itself, stat'ed into full records. */
  selfPath: string;
}

/**
 * Normalises options once (execa's habit): defaults, the argument file, side
 * jobs from the environment, the deadline schedule. Throws PlanError.
 */
export function makePlan(o: SuperviseOptions, transfer?: TransferStep): Plan {
  const env = cleanEnv(o.env ?? process.env);
  const baseCwd = process.cwd();
  const cwd = o.workdir ? resolve(baseCwd, o.workdir) : baseCwd;
  let argv = [...o.argv];
  if (o.argFile !== undefined) argv = [...argv, ...argFileLines(o.argFile, baseCwd)];
  if (argv.length === 0) throw new PlanError('no command to run: give it after the options, e.g. `kickstart -- echo hello`');
  if (env.KICKSTART_PREPEND_PATH) env.PATH = env.PATH ? `${env.KICKSTART_PREPEND_PATH}:${env.PATH}` : env.KICKSTART_PREPEND_PATH;
  if (env.KICKSTART_WRAPPER) argv = [...splitCommandLine(env.KICKSTART_WRAPPER), ...argv];
  const side = sideJobs(o.sideJobs, env);
  const auto = autoOptions(o);
  const sched: ReturnType<typeof schedule> = auto
    ? { ok: true, schedule: { graceMs: DEFAULT_KILL_AFTER } }
    : schedule({
        checkpointTime: o.checkpointTime as number | undefined,
        maxWalltime: o.maxWalltime as number | undefined,
        termAfter: o.termAfter,
        killAfter: o.killAfter,
      });
  if (!sched.ok) throw new PlanError(sched.message);
  const tail = o.tailBytes ?? DEFAULT_TAIL_BYTES;
  if (tail !== 'all' && !(Number.isInteger(tail) && tail >= 0)) {
    throw new PlanError(`-B takes a size in bytes (e.g. 65536, 64k, 1M) or 'all'`);
  }
  const monitorInterval = o.monitorInterval ?? DEFAULT_MONITOR_INTERVAL;
  if (!(Number.isInteger(monitorInterval) && monitorInterval >= 0)) {
    throw new PlanError('--monitor-interval takes a duration (e.g. 1s, 500ms, 0 or off to turn sampling off)');
  }
  if (o.attempt !== undefined && !(Number.isSafeInteger(o.attempt) && o.attempt >= 1)) throw new PlanError(`--attempt ${o.attempt}: attempts count from 1`);
  const metricsFile = o.metricsFile !== undefined ? resolve(baseCwd, o.metricsFile) : undefined;
  if (metricsFile !== undefined) checkMetricsFile(metricsFile, monitorInterval);
  return {
    argv,
    env,
    cwd,
    workdir: o.workdir,
    createWorkdir: o.createWorkdir ?? false,
    sideJobs: side,
    schedule: sched.schedule,
    auto,
    requireDeadline: o.requireDeadline ?? false,
    checkpointExitCode: o.checkpointExitCode ?? DEFAULT_CHECKPOINT_EXIT_CODE,
    stdin: o.stdin,
    stdout: o.stdout,
    stderr: o.stderr,
    tailBytes: tail,
    quiet: o.quiet ?? false,
    full: o.full ?? false,
    noMachine: o.noMachine ?? false,
    makeExecutable: o.makeExecutable ?? false,
    trace: o.trace ?? false,
    statBefore: expandStatLists(o.statBefore ?? [], baseCwd),
    statAfter: expandStatLists(o.statAfter ?? [], baseCwd),
    transformation: o.transformation,
    derivation: o.derivation,
    resource: o.resource,
    wfLabel: o.wfLabel,
    wfStamp: o.wfStamp,
    jobids: jobIds(env),
    lingerGrace: o.lingerGrace ?? DEFAULT_LINGER_GRACE,
    subreaper: o.subreaper ?? false,
    censusMaxAge: o.censusMaxAge ?? 0,
    retries: o.retries ?? 0,
    retryDelay: o.retryDelay ?? 0,
    poisonAfter: o.poisonAfter ?? 2,
    attempt: o.attempt,
    restart: restartCount(env),
    transfer,
    monitorInterval,
    metricsFile,
    recordFile: typeof o.recordFile === 'string' ? resolve(baseCwd, o.recordFile) : o.recordFile,
    selfPath: process.argv[1] ?? process.execPath,
  };
}

/** --metrics must be writable before the job starts: finding out afterwards loses the series. */
function checkMetricsFile(path: string, interval: number): void {
  if (interval === 0) throw new PlanError('--metrics needs sampling: drop --monitor-interval off, or drop --metrics');
  try {
    accessSync(dirname(path), fsConstants.W_OK);
  } catch (e) {
    throw new PlanError(`cannot write --metrics ${path}: ${(e as NodeJS.ErrnoException).code}; give a file in an existing, writable directory`);
  }
}
