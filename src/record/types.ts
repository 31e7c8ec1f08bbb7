/**
 * The invocation record as plain data. Keys and value types follow the YAML
 * that pegasus-kickstart 6.0 writes (see README "The record"), so the same
 * object serialises to Pegasus-compatible YAML or to one JSON line.
 * Timestamps are kept as ISO strings in Pegasus's own shapes:
 * record/job starts with milliseconds ("2026-11-25T04:55:40.247+00:00"),
 * file times without ("2026-11-25T04:55:40+00:00").
 */

/** getrusage()'s fields as the native addon reports them (src/native/addon.ts). */
import type { Rusage } from '../native/addon.js';

export type { Rusage };

// The record's transfer blocks (stage_in, stage_out, live) live beside this file.
import type { LiveSummary, LiveUpload, TransferSummary } from './transfer-types.js';

export type { DedupSummary, LiveSkip, LiveSummary, LiveUpload, TransferSummary } from './transfer-types.js';

export type JobStatus =
  | { raw: number; regular_exitcode: number }
  /** `singalled_name` is Pegasus's own spelling; its parser expects it. */
  | { raw: number; signalled_signal: number; singalled_name: string; corefile: boolean }
  /** raw is -127 (or -126); failure_error is "errno   strerror". */
  | { raw: number; failure_error: string };

/** A `stat` block; which of the leading keys appear depends on its use. */
export interface StatInfo {
  error?: number;
  lfn?: string;
  /** Who made an entry a tool added through KICKSTART_INTEGRITY_DATA. */
  comment?: string;
  file_name?: string;
  temporary_name?: string;
  descriptor?: number;
  descriptor_number?: number;
  mode?: number;
  size?: number;
  inode?: number;
  nlink?: number;
  blksize?: number;
  blocks?: number;
  mtime?: string;
  atime?: string;
  ctime?: string;
  uid?: number;
  user?: string;
  gid?: number;
  group?: string;
  output?: boolean;
  sha256?: string;
  checksum_timing?: number;
  data_truncated?: boolean;
  data?: string;
}

export type JobName = 'setup' | 'prejob' | 'mainjob' | 'postjob' | 'cleanup';

export interface JobRecord {
  start: string;
  duration: number;
  pid?: number;
  usage: Rusage;
  status: JobStatus;
  executable: StatInfo;
  argument_vector: string[];
  /** -t: each process of the job's tree, by pid (monitor/trace.ts). */
  procs?: Record<string, TracedProc>;
}

/** Machine facts, in Pegasus's key order; `procs_zombie`-like keys appear only when non-zero. */
export type MachineInfo = Record<string, string | number>;

export interface InvocationRecord {
  invocation: true;
  version: '3.0';
  start: string;
  duration: number;
  transformation?: string;
  derivation?: string;
  resource?: string;
  'wf-label'?: string;
  'wf-stamp'?: string;
  interface?: string;
  hostaddr?: string;
  hostname?: string;
  pid: number;
  uid: number;
  user: string;
  gid: number;
  group: string;
  umask: number;
  setup?: JobRecord;
  prejob?: JobRecord;
  mainjob?: JobRecord;
  postjob?: JobRecord;
  cleanup?: JobRecord;
  jobids: Record<string, string>;
  cwd: string;
  usage: Rusage;
  machine?: MachineInfo;
  files: Record<string, StatInfo>;
  environment?: Record<string, string>;
  limits?: Record<string, string | number>;
  /** Everything Pegasus does not know lives here, so its parser never trips on it. */
  kickstart: KickstartBlock;
}

export interface SignalSent {
  signal: string;
  /** How many processes it was delivered to. */
  processes: number;
  /** Seconds since the record's start. */
  at: number;
  reason: 'checkpoint-time' | 'kill-time' | 'forwarded' | 'linger' | 'shutdown' | 'checkpoint-request';
}

export interface RetryNote {
  next_attempt: number;
  /** Seconds until it starts. */
  delay: number;
  /** Attempts in a row that failed without shipping a newer good generation. */
  failed_in_a_row?: number;
  /** The delay grew past --retry-delay (exponential, at most 5 min). */
  backoff?: boolean;
}

/**
 * Where an attempt's number came from (supervise/attempt-number.ts):
 * --attempt; the batch system's restart count + 1; one more than the highest
 * start marker left behind, or than the newest manifest at the staging site;
 * the attempt before it in this kickstart's --retries loop; else 1.
 */
export type AttemptFrom = '--attempt' | 'SLURM_RESTART_COUNT' | 'start-marker' | 'manifest' | 'retry' | 'default';

export interface KickstartBlock {
  version: string;
  outcome?: string;
  attempt?: number;
  attempt_from?: AttemptFrom;
  exitcode?: number;
  deadline?: { checkpoint_time?: number; kill_time?: number; fired: boolean; fired_at?: number; /** --max-walltime auto / --total-walltime: how the deadlines were planned. */ plan?: Record<string, unknown> };
  signals: SignalSent[];
  lingering?: { pid: number; command: string }[];
  stage_in?: TransferSummary;
  stage_out?: TransferSummary;
  /** Generations shipped while the main job ran, in order. */
  live_uploads?: LiveUpload[];
  /** Live shipping's intervals: shipped, skipped and why. */
  live?: LiveSummary;
  /** Resource samples of the main job's tree (--monitor-interval). */
  monitor?: MonitorSummary;
  subreaper?: boolean;
  /** Attempts that started (their start marker is still there) and never wrote a record. */
  unfinished?: { attempt: number; started: string; host: string; pid: number; message: string }[];
  /** Set when another attempt follows (--retries): when, and why that long. */
  retry?: RetryNote;
  [key: string]: unknown;
}

/** Column arrays: one line each in the YAML record. */
export interface SeriesColumns {
  t: number[];
  cpu: number[];
  rss: number[];
  procs: number[];
}

/** The record's `monitor:` block (see monitor/series.ts). */
export interface MonitorSummary {
  /** Seconds between samples. */
  interval: number;
  samples: number;
  peak_cpu: number;
  peak_rss: number;
  peak_procs: number;
  /** Every sample, or bucket maxima when there were more than MAX_POINTS. */
  series: SeriesColumns;
}

/** -t: one process of the job's tree as the record lists it (sampled by monitor/trace.ts). */
/**
 * -t/-z/-Z: each process of the job's tree as Linux shows it in /proc, with
 * no preload library (pegasus-kickstart's libinterpose sees every process and
 * file call; kickstart samples). A process is read at every tick while it
 * lives, so its figures are as of the last tick, and one that lives less
 * than a tick may not be seen at all. The keys are Pegasus's `procs:` keys,
 * plus `argv` and `files_written` (the regular files it had open for writing).
 */
export interface TracedProc {
  ppid: number;
  pid: number;
  exe: string;
  /** Seconds since the epoch: the kernel's start time, and the last tick that saw the process. */
  start: number;
  stop: number;
  utime: number;
  stime: number;
  iowait: number;
  finthreads: number;
  maxthreads: number;
  totthreads: number;
  /** kB: VmPeak and VmHWM. */
  vmpeak: number;
  rsspeak: number;
  rchar: number;
  wchar: number;
  rbytes: number;
  wbytes: number;
  cwbytes: number;
  syscr: number;
  syscw: number;
  cmd: string;
  argv: string[];
  files_written?: string[];
}
