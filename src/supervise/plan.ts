import { accessSync, closeSync, constants as fsConstants, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MarkerStore } from './markers.js';
import type { SignalName } from '../process/signal.js';
import type { JobName, LiveSummary, LiveUpload, TransferSummary } from '../record/types.js';
import { splitCommandLine } from './command-line.js';
import { DEFAULT_KILL_AFTER, schedule, type Schedule } from './deadlines.js';
import { expandStatLists } from './stat-list.js';
import { DEFAULT_REFRESH_MS, type AutoOptions, type HistoryAccess } from './auto-deadline.js';
import {
  DEFAULT_CHECKPOINT_EXIT_CODE,
  DEFAULT_LINGER_GRACE,
  DEFAULT_MONITOR_INTERVAL,
  DEFAULT_TAIL_BYTES,
  type StatRequest,
  type SuperviseOptions,
} from './options.js';

export type SideJob = Exclude<JobName, 'mainjob'>;

export interface TransferStep {
  /** `distrust`: generations a crash loop poisoned (supervise/retry-policy.ts). */
  stageIn(at: { attempt: number; cwd: string; distrust?: { generations: number[]; reason: string } }): Promise<TransferSummary>;
  /** `clean`: the attempt ended cleanly, so its generation is a good one. */
  stageOut(at: { attempt: number; cwd: string; clean: boolean }): Promise<TransferSummary>;
  /** The deadline history at the staging site (--max-walltime auto, --total-walltime). */
  history?: HistoryAccess;
  /** Start markers at the staging site (transfer/markers.ts). */
  markers?: MarkerStore;
  /** --checkpoint-interval: ships checkpoints while the main job runs, until stop(). */
  live?(at: LiveAt): Promise<{ stop(): Promise<{ uploads: LiveUpload[]; summary: LiveSummary }> }>;
}

export interface LiveAt {
  attempt: number;
  cwd: string;
  /** Asks the job for a checkpoint (--checkpoint-signal), noted in the record's signals. */
  request: (signal: SignalName) => void;
  /** Seconds since the attempt's start. */
  clock: () => number;
  /** --checkpoint-interval auto: this attempt's interval (ms). */
  intervalMs?: number;
}

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
  firstAttempt: number;
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

/** A problem with the options: the message names the flag and the fix. */
export class PlanError extends Error {
  override name = 'PlanError';
}

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

/** More than the kernel would pass to exec anyway (ARG_MAX is 2 MiB by default). */
const ARG_FILE_MAX = 4 << 20;

/** Reads an argument file, refusing endless ones (/dev/zero, a stuck pipe's producer) instead of exhausting memory. */
function readArgFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(ARG_FILE_MAX + 1);
    let got = 0;
    for (let n = 1; n > 0 && got <= ARG_FILE_MAX; got += n) n = readSync(fd, buf, got, buf.length - got, null);
    if (got > ARG_FILE_MAX) throw new PlanError(`larger than ${ARG_FILE_MAX >> 20} MiB`);
    return buf.toString('utf8', 0, got);
  } finally {
    closeSync(fd);
  }
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
  if (o.argFile !== undefined) {
    let text: string;
    try {
      text = readArgFile(resolve(baseCwd, o.argFile));
    } catch (e) {
      const why = e instanceof PlanError ? e.message : (e as NodeJS.ErrnoException).code;
      throw new PlanError(`cannot read the argument file ${o.argFile} (-I): ${why}; give a readable file, one argument a line`);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    argv = [...argv, ...lines];
  }
  if (argv.length === 0) throw new PlanError('no command to run: give it after the options, e.g. `kickstart -- echo hello`');
  if (env.KICKSTART_PREPEND_PATH) env.PATH = env.PATH ? `${env.KICKSTART_PREPEND_PATH}:${env.PATH}` : env.KICKSTART_PREPEND_PATH;
  if (env.KICKSTART_WRAPPER) argv = [...splitCommandLine(env.KICKSTART_WRAPPER), ...argv];

  const sideJobs: Partial<Record<SideJob, string[]>> = {};
  for (const name of Object.keys(SIDE_ENV) as SideJob[]) {
    const given = o.sideJobs?.[name] ?? (env[SIDE_ENV[name]] ? splitCommandLine(env[SIDE_ENV[name]]) : undefined);
    if (given && given.length > 0) sideJobs[name] = given;
  }

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
  const metricsFile = o.metricsFile !== undefined ? resolve(baseCwd, o.metricsFile) : undefined;
  if (metricsFile !== undefined) checkMetricsFile(metricsFile, monitorInterval);
  return {
    argv,
    env,
    cwd,
    workdir: o.workdir,
    createWorkdir: o.createWorkdir ?? false,
    sideJobs,
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
    firstAttempt: o.attempt ?? 1,
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

/** Below this, the look-ups would be most of what the batch system's commands do. */
const MIN_REFRESH_MS = 1_000;

/** The automatic deadlines' options, checked; undefined when none of them is used. */
function autoOptions(o: SuperviseOptions): AutoOptions | undefined {
  const batch = o.maxWalltime === 'auto';
  const intervalAuto = o.checkpointInterval === 'auto';
  if (o.checkpointOverhead !== undefined && !intervalAuto) throw new PlanError('--checkpoint-overhead needs --checkpoint-interval auto: it caps the interval rule');
  if (o.checkpointOverhead !== undefined && !(o.checkpointOverhead > 0 && o.checkpointOverhead < 1)) {
    throw new PlanError('--checkpoint-overhead takes a share above 0% and below 100%, e.g. 5%');
  }
  if (o.requireDeadline && !batch) throw new PlanError('--require-deadline needs --max-walltime auto: it asks the batch system for the end');
  if (!batch && o.totalWalltime === undefined) {
    if (o.checkpointTime === 'auto') throw new PlanError('--checkpoint-time auto needs --max-walltime auto (or --total-walltime): it plans SIGTERM before that end');
    if (intervalAuto) throw new PlanError('--checkpoint-interval auto needs --max-walltime auto or --total-walltime: the interval comes from the measured checkpoint cost in their history');
    if (o.deadlineRefresh !== undefined) throw new PlanError('--deadline-refresh needs --max-walltime auto (or --total-walltime, whose history it updates as often)');
    if (o.checkpointCost !== undefined) throw new PlanError('--checkpoint-cost needs --max-walltime auto or --total-walltime');
    return undefined;
  }
  if (typeof o.maxWalltime === 'number') throw new PlanError('--total-walltime plans its own deadlines: use --max-walltime auto with it, or drop --max-walltime');
  if (typeof o.checkpointTime === 'number') {
    throw new PlanError('--checkpoint-time DUR cannot be combined with automatic deadlines: drop it (SIGTERM comes at end - write - ship - margin) or give --max-walltime DUR');
  }
  if (o.termAfter !== undefined || o.killAfter !== undefined) throw new PlanError('-k/-K cannot be combined with --max-walltime auto or --total-walltime: use one');
  if (o.totalWalltime !== undefined && !(o.totalWalltime > 0)) throw new PlanError('--total-walltime must be greater than 0');
  const refreshMs = o.deadlineRefresh ?? DEFAULT_REFRESH_MS;
  if (!(refreshMs >= MIN_REFRESH_MS)) throw new PlanError(`--deadline-refresh must be ${MIN_REFRESH_MS / 1000}s or more (e.g. 30s, 5m)`);
  return {
    batch,
    refreshMs,
    checkpointCost: o.checkpointCost !== undefined ? o.checkpointCost / 1000 : undefined,
    totalWalltime: o.totalWalltime !== undefined ? o.totalWalltime / 1000 : undefined,
    interval: intervalAuto ? { overhead: o.checkpointOverhead } : undefined,
  };
}
