import type { Logger } from '../log.js';
import { buildRecord, type KickstartFacts } from '../record/build.js';
import { environmentBlock } from '../record/environment.js';
import { hostFacts } from '../record/host.js';
import { limits } from '../record/limits.js';
import { machineInfo, type startCensus } from '../record/machine.js';
import { statFd, statInfo } from '../record/stat.js';
import type { AttemptFrom, InvocationRecord, StatInfo } from '../record/types.js';
import { VERSION } from '../version.js';
import type { AttemptState } from './attempt.js';
import { fileBlock, integrityEntries } from './files-block.js';
import type { JobResult } from './job.js';
import { neverFinished, type AttemptMarkers } from './markers.js';
import type { OutcomeResult } from './outcome.js';
import type { Plan } from './plan.js';
import { closeStdio, type StdioSlot } from './stdio.js';

/** What an attempt has when its jobs and transfers are over. */
export interface AttemptEnd {
  plan: Plan;
  attempt: number;
  attemptFrom: AttemptFrom;
  state: AttemptState;
  outcome: OutcomeResult;
  cwd: string;
  jobs: JobResult[];
  /** -S and -s, stat'ed before and after the jobs. */
  filesBefore: Record<string, StatInfo>;
  filesAfter: Record<string, StatInfo>;
  /** The capture files (the jobs' streams, KICKSTART_METADATA, KICKSTART_INTEGRITY_DATA): read, then closed here. */
  slots: StdioSlot[];
  metadata?: StdioSlot;
  integrity?: StdioSlot;
  /** The machine census started with the attempt (none with -H). */
  census?: ReturnType<typeof startCensus>;
  markers: AttemptMarkers;
  logger: Logger;
  /** What the transfer step, the monitor and the automatic deadlines report. */
  kickstart: Pick<KickstartFacts, 'deadlinePlan' | 'stageIn' | 'stageOut' | 'liveUploads' | 'live' | 'monitor'>;
}

/**
 * The attempt's record: gathers the facts still to read (the files block in
 * Pegasus's order, the census, the environment and limits of a failed or -f
 * run) and hands them to record/build.ts, which builds the record from plain
 * data. Closes the capture files.
 */
export async function attemptRecord(e: AttemptEnd): Promise<InvocationRecord> {
  const { plan, state, outcome } = e;
  const failed = outcome.outcome !== 'completed';
  // Pegasus's order: -S, -s, what tools wrote to KICKSTART_INTEGRITY_DATA, then the streams.
  const files: Record<string, StatInfo> = { ...e.filesBefore, ...e.filesAfter, ...(await integrityEntries(e.integrity, e.logger)) };
  for (const slot of [...e.slots, e.metadata]) {
    if (!slot) continue;
    files[slot.name] = fileBlock(slot, plan, failed);
  }
  if (plan.full || failed) {
    files.kickstart = statInfo(plan.selfPath);
    // Where this record goes, as it is before the record is added.
    if (plan.recordFile !== null) files.logfile = plan.recordFile === undefined ? statFd(1, { descriptor_number: 1 }) : statInfo(plan.recordFile);
  }
  for (const slot of [...e.slots, e.metadata, e.integrity]) if (slot) closeStdio(slot);

  const machine = await e.census;
  return buildRecord({
    startMs: state.startMs,
    duration: state.elapsed(),
    transformation: plan.transformation,
    derivation: plan.derivation,
    resource: plan.resource,
    wfLabel: plan.wfLabel,
    wfStamp: plan.wfStamp,
    host: hostFacts(),
    jobids: plan.jobids,
    cwd: e.cwd,
    jobs: e.jobs,
    files,
    machine: machine ? machineInfo(machine) : undefined,
    ...(plan.full || failed ? { environment: environmentBlock(plan.env), limits: limits() } : {}),
    kickstart: {
      version: VERSION,
      outcome: outcome.outcome,
      attempt: e.attempt,
      attemptFrom: e.attemptFrom,
      exitcode: outcome.exitCode,
      termAt: state.deadlines.termAt,
      killAt: state.deadlines.killAt,
      deadlineFired: state.deadlineFired,
      firedAt: state.firedAt,
      signals: state.signals,
      lingering: state.lingering,
      ...e.kickstart,
      subreaper: plan.subreaper,
      unfinished: e.markers.leftBehind.map((m) => ({ attempt: m.attempt, started: m.started, host: m.host, pid: m.pid, message: neverFinished(m) })),
    },
  });
}
