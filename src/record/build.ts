import type { AttemptFrom, InvocationRecord, JobName, JobRecord, KickstartBlock, LiveSummary, LiveUpload, MonitorSummary, SignalSent, TransferSummary } from './types.js';
import { isoMillis } from './time.js';

/** Who and where kickstart ran (usage: kickstart's own getrusage), as the record names it: gathered by host.ts. */
export type HostFacts = Pick<InvocationRecord, 'interface' | 'hostaddr' | 'pid' | 'uid' | 'user' | 'gid' | 'group' | 'umask' | 'usage'> & { hostname: string };

/**
 * What an attempt hands the record builder: facts only, nothing left to look
 * up. The blocks it has as they go in the record keep the record's names;
 * environment and limits are present when the record is full (-f) or the
 * attempt failed.
 */
export interface AttemptFacts extends Pick<InvocationRecord, 'jobids' | 'cwd' | 'files' | 'machine' | 'environment' | 'limits'> {
  startMs: number;
  /** Seconds. */
  duration: number;
  transformation?: string;
  derivation?: string;
  resource?: string;
  wfLabel?: string;
  wfStamp?: string;
  host: HostFacts;
  jobs: { name: JobName; record: JobRecord }[];
  kickstart: KickstartFacts;
}

/** What only kickstart knows about the attempt: its `kickstart:` block. */
export interface KickstartFacts {
  version: string;
  outcome: string;
  attempt: number;
  attemptFrom?: AttemptFrom;
  exitcode: number;
  /** The deadline schedule, ms after start, when there is one. */
  termAt?: number;
  killAt?: number;
  /** --max-walltime auto / --total-walltime: how the deadlines were planned. */
  deadlinePlan?: Record<string, unknown>;
  deadlineFired: boolean;
  firedAt?: number;
  signals: SignalSent[];
  lingering: { pid: number; command: string }[];
  stageIn?: TransferSummary;
  stageOut?: TransferSummary;
  liveUploads?: LiveUpload[];
  /** --checkpoint-interval: how live shipping went. */
  live?: LiveSummary;
  monitor?: MonitorSummary;
  subreaper: boolean;
  /** Attempts whose start marker outlived them: they never wrote a record. */
  unfinished?: NonNullable<KickstartBlock['unfinished']>;
}

/** Pure: the `kickstart:` block; empty lists and absent steps are left out. */
export function kickstartBlock(k: KickstartFacts): KickstartBlock {
  return {
    version: k.version,
    outcome: k.outcome,
    attempt: k.attempt,
    attempt_from: k.attemptFrom,
    exitcode: k.exitcode,
    deadline:
      k.termAt === undefined && !k.deadlinePlan
        ? undefined
        : {
            checkpoint_time: k.termAt !== undefined ? k.termAt / 1000 : undefined,
            kill_time: k.killAt !== undefined ? k.killAt / 1000 : undefined,
            fired: k.deadlineFired,
            fired_at: k.firedAt,
            plan: k.deadlinePlan,
          },
    signals: k.signals,
    lingering: k.lingering.length ? k.lingering : undefined,
    stage_in: k.stageIn,
    stage_out: k.stageOut,
    live_uploads: k.liveUploads?.length ? k.liveUploads : undefined,
    live: k.live,
    monitor: k.monitor,
    subreaper: k.subreaper,
    unfinished: k.unfinished?.length ? k.unfinished : undefined,
  };
}

/** Pure: the invocation record, keys in pegasus-kickstart's order. */
export function buildRecord(f: AttemptFacts): InvocationRecord {
  const h = f.host;
  const record: InvocationRecord = {
    invocation: true,
    version: '3.0',
    start: isoMillis(f.startMs),
    duration: f.duration,
    transformation: f.transformation,
    derivation: f.derivation,
    resource: f.resource,
    'wf-label': f.wfLabel,
    'wf-stamp': f.wfStamp,
    interface: h.interface,
    hostaddr: h.hostaddr,
    hostname: h.hostname,
    pid: h.pid,
    uid: h.uid,
    user: h.user,
    gid: h.gid,
    group: h.group,
    umask: h.umask,
    jobids: f.jobids,
    cwd: f.cwd,
    usage: h.usage,
    files: f.files,
    kickstart: kickstartBlock(f.kickstart),
  };
  for (const j of f.jobs) record[j.name] = j.record;
  if (f.machine) record.machine = f.machine;
  if (f.environment) record.environment = f.environment;
  if (f.limits) record.limits = f.limits;
  return record;
}
