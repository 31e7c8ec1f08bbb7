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

export interface TransferSummary {
  direction: 'in' | 'out';
  /** 'unchanged' (stage-out): the files are byte-identical to `generation`, the newest one; nothing was published. */
  result: 'ok' | 'none' | 'failed' | 'unchanged';
  url: string;
  generation?: number;
  files: { path: string; size: number; sha256: string }[];
  bytes: number;
  duration: number;
  attempts: number;
  /** Stage-in: generations passed over because they did not verify, newest first. */
  rolled_back?: number[];
  /**
   * Stage-in after a crash loop: generations passed over because attempts
   * restored from them kept failing (--poison-after), and why.
   */
  poisoned?: { passed_over: number[]; reason: string };
  /** Stage-out: declared checkpoint paths (or globs) that matched nothing. */
  missing?: string[];
  /** Stage-out: bytes read beyond those shipped (the unchanged check, re-reads of torn or rewritten files). */
  reread?: number;
  /** Stage-out of a chunked generation: how much of it the site held already. */
  dedup?: DedupSummary;
  error?: string;
  /** Seconds since the record's start when the transfer began (for `kickstart show`). */
  at?: number;
}

export interface DedupSummary {
  /** Bytes of the generation's data (the file, or the archive of all entries). */
  bytes_total: number;
  /** Chunk bytes sent: what the site did not hold. */
  bytes_new: number;
  chunks: number;
  /** Chunks the site held already (earlier generations, an interrupted upload). */
  chunks_reused: number;
  /** Share of bytes_total not sent, 0..1 (1: nothing new). */
  dedup_ratio: number;
}

/** One generation shipped while the job ran (--checkpoint-interval). */
export interface LiveUpload {
  generation?: number;
  /**
   * 'superseded': still in flight when the job ended, aborted for the final
   * stage-out; 'unchanged': byte-identical to the newest generation, nothing published.
   */
  result: 'ok' | 'none' | 'failed' | 'superseded' | 'unchanged';
  bytes: number;
  /** Seconds since the record's start when the upload began. */
  at: number;
  /** Seconds it took, until the generation was visible. */
  duration: number;
  error?: string;
  /** Bytes read beyond those shipped (see TransferSummary.reread). */
  reread?: number;
  /**
   * Chunked generations: bytes sent, what the site did not hold yet (the
   * generation's `bytes` count every file whole, appended outputs included).
   */
  bytes_new?: number;
}

/** Why an interval of live shipping went by without an upload. */
export type LiveSkip = 'settling' | 'in_flight' | 'request' | 'error' | 'nothing';

/** Live shipping over the whole main job: never silent about an interval it skipped. */
export interface LiveSummary {
  /** --checkpoint-interval, seconds. */
  interval: number;
  /** Intervals that ended while the job ran, and the one it ended in if an upload started there. */
  intervals: number;
  /** Generations published. */
  shipped: number;
  /** Uploads that found the files identical to the newest generation. */
  unchanged: number;
  failed: number;
  /**
   * Intervals with no upload, by reason: a changed file still settling, an
   * upload still in flight, the job not answering --checkpoint-signal yet, an
   * error, no checkpoint file at all. Intervals with nothing new are in none.
   */
  skipped?: Partial<Record<LiveSkip, number>>;
  /** When the job ended: the file live shipping was waiting for. */
  waiting_on?: string;
  /** Bytes read beyond those shipped, over all uploads. */
  reread?: number;
  /** Bytes sent over all uploads (chunked generations: what the site did not hold). */
  bytes_new?: number;
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
