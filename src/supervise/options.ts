import type { Logger } from '../log.js';
import type { JobName } from '../record/types.js';
import type { SiteOptions } from '../staging/kind.js';

/** A file to stat into the record's `files:` (-s after the job, -S before). */
export interface StatRequest {
  lfn?: string;
  path: string;
  /** `@file`: path names a file that lists the files, one `[lfn=]file` a line (see stat-list.ts). */
  list?: boolean;
  /** errno of a list file that could not be read: the entry records it. */
  error?: number;
}

/**
 * Everything one supervised run needs, as plain data. The CLI builds it from
 * argv; a TypeScript job wrapper builds it directly and calls supervise().
 */
export interface SuperviseOptions {
  /** The executable and its arguments, passed through untouched. */
  argv: string[];
  /** -I: a file with more arguments, one per line. */
  argFile?: string;
  transformation?: string;
  derivation?: string;
  resource?: string;
  wfLabel?: string;
  wfStamp?: string;
  /** -H: leave out the machine block. */
  noMachine?: boolean;
  /** -f: always write environment and limits (they are written anyway when a job fails). */
  full?: boolean;
  /** -q: drop stdout/stderr data from the record when everything succeeded. */
  quiet?: boolean;
  /** -i/-o/-e: `-` inherit, `file` truncate, `!file` append, `^file` rotate first. Default: temp files. */
  stdin?: string;
  stdout?: string;
  stderr?: string;
  /** -B: keep the last N bytes of stdout/stderr in the record, or all of it. */
  tailBytes?: number | 'all';
  /** -l: append the record here (fsync'd); undefined: kickstart's stdout; null: do not write. */
  recordFile?: string | null;
  format?: 'yaml' | 'json';
  /** -w: run in this directory; -W: create it first. */
  workdir?: string;
  createWorkdir?: boolean;
  statAfter?: StatRequest[];
  statBefore?: StatRequest[];
  /** -t/-z/-Z: record each process of the main job's tree in its procs: (monitor/trace.ts). */
  trace?: boolean;
  /** -X: make the executable runnable first. */
  makeExecutable?: boolean;
  /** The job's environment (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Side jobs' command lines; default: from KICKSTART_SETUP/PREJOB/POSTJOB/CLEANUP in env. */
  sideJobs?: Partial<Record<Exclude<JobName, 'mainjob'>, string[]>>;

  /** Deadlines, ms after start (see deadlines.ts); 'auto': from the batch system and the learned costs (auto-deadline.ts). */
  checkpointTime?: number | 'auto';
  maxWalltime?: number | 'auto';
  /** With --max-walltime auto: look the end up again this often (ms; default 60 s). */
  deadlineRefresh?: number;
  /** With --max-walltime auto: a usage error when no batch system gives an end. */
  requireDeadline?: boolean;
  /** First attempt's cost of one checkpoint, write and ship together (ms). */
  checkpointCost?: number;
  /** A budget for the whole computation across requeues (ms), kept at the staging site. */
  totalWalltime?: number;
  /** With --checkpoint-interval auto: the share of time checkpointing may take (0-1). */
  checkpointOverhead?: number;
  termAfter?: number;
  killAfter?: number;
  /** Exit code when a deadline fired (14, pegasus-kickstart's; 85 for HTCondor). */
  checkpointExitCode?: number;

  /** Transfer step. */
  checkpoints?: string[];
  /** --checkpoint-with: append-only companions shipped with the checkpoint, never a trigger. */
  companions?: string[];
  staging?: string;
  jobId?: string;
  keep?: number;
  transferRetries?: number;
  transferBackoff?: number;
  /** The staging kind's own options (e.g. s3Endpoint for s3://). */
  site?: SiteOptions;
  allowOutside?: boolean;
  /** Ship each new complete checkpoint while the main job runs, at most once per this many ms. */
  checkpointInterval?: number | 'auto';
  /** With checkpointInterval: send this signal to the job at each interval to ask for a checkpoint. */
  checkpointSignal?: import('../process/signal.js').SignalName;

  /** Restarts: run until success or `retries` more attempts are spent. */
  retries?: number;
  retryDelay?: number;
  /** Failed attempts in a row from one checkpoint generation before stage-in rolls back past it; default 2, 0: never. */
  poisonAfter?: number;
  /**
   * Number of the first attempt. Default: SLURM_RESTART_COUNT + 1 after a
   * requeue, else one more than the highest attempt earlier attempts of the
   * job left (start markers, the newest manifest), else 1 (attempt-number.ts).
   */
  attempt?: number;

  /** Sample the main job's tree every this many ms (CPU, RSS, processes); 0: off. Default 1000. */
  monitorInterval?: number;
  /** Write every sample as a JSON line to this file (truncated by the first attempt). */
  metricsFile?: string;

  /** Grace between TERM and KILL for descendants left after a job ends. */
  lingerGrace?: number;
  /** Become a child subreaper and reap every child (the CLI); off for embedders. */
  subreaper?: boolean;
  /**
   * A reaper shared by supervise() calls running at once in one process
   * (batch mode): two wait4(-1) loops would steal each other's children.
   * The caller has made the process a subreaper and drains the reaper.
   */
  reaper?: import('../process/reaper.js').Reaper;
  /** Reuse a process census (the machine block's procs_* and task_*) up to this many ms old; batch mode. */
  censusMaxAge?: number;
  /** Forward TERM, INT, HUP, QUIT, USR1, USR2 received by this process to the job. */
  forwardSignals?: boolean;
  logger?: Logger;
  /** Called with each attempt's record as soon as it is complete. */
  onRecord?: (record: import('../record/types.js').InvocationRecord) => void | Promise<void>;
}

export const DEFAULT_TAIL_BYTES = 256 * 1024;
export const DEFAULT_CHECKPOINT_EXIT_CODE = 14;
export const DEFAULT_LINGER_GRACE = 2_000;
export const DEFAULT_MONITOR_INTERVAL = 1_000;
