import { mkdirSync, statSync } from 'node:fs';
import { constants, hostname, networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from '../log.js';
import { native } from '../native/addon.js';
import type { Reaper } from '../process/reaper.js';
import { environmentBlock } from '../record/environment.js';
import { limits } from '../record/limits.js';
import { machineInfo, startCensus, type ProcScan } from '../record/machine.js';
import { parseIntegrityData } from '../record/integrity.js';
import { sha256File, statFd, statInfo } from '../record/stat.js';
import { failureStatus } from '../record/signals.js';
import { isoMillis } from '../record/time.js';
import { groupName, userName } from '../record/users.js';
import type { InvocationRecord, JobName, JobRecord, LiveSummary, LiveUpload, StatInfo, TransferSummary } from '../record/types.js';
import { AttemptState, round3, runJob } from './attempt.js';
import { ZERO_USAGE, type JobResult } from './job.js';
import type { StatRequest } from './options.js';
import type { Plan } from './plan.js';
import { decideOutcome, type OutcomeResult } from './outcome.js';
import { isCleanOutcome } from './retry-policy.js';
import { closeStdio, openStdio, openTemp, procPath, readTail, type StdioSlot } from './stdio.js';
import { VERSION } from '../version.js';
import { AutoDeadline } from './auto-deadline.js';
import { Monitor, warmUp, type MonitorSummary } from '../monitor/index.js';
import { Tracer } from '../monitor/trace.js';

export interface AttemptResult {
  record: InvocationRecord;
  outcome: OutcomeResult;
  stoppedFromOutside: boolean;
}

export interface AttemptHooks {
  /** Lets the caller route signals it receives to the running attempt. */
  onState?: (state: AttemptState | undefined) => void;
  /** Generations a crash loop poisoned: stage-in passes over them (retry-policy.ts). */
  distrust?: { generations: number[]; reason: string };
}

/**
 * One attempt, in the order the data flows: stage-in, setup, prejob, main
 * job under its deadlines, postjob, stage-out, cleanup, record. Every step
 * that cannot run leaves a trace in the record; nothing here throws for a
 * job's failure.
 */
export async function runAttempt(
  plan: Plan,
  attempt: number,
  reaper: Reaper,
  logger: Logger,
  hooks: AttemptHooks = {},
): Promise<AttemptResult> {
  const state = new AttemptState(logger, plan.schedule, plan.subreaper);
  hooks.onState?.(state);
  state.arm();
  const census = plan.noMachine ? undefined : startCensus(plan.censusMaxAge);
  // Before any job starts: see warmUp(). Runs while stage-in does.
  const monitorReady = plan.monitorInterval > 0 ? warmUp() : undefined;
  const env: Record<string, string> = { ...plan.env, KICKSTART_ATTEMPT: String(attempt) };
  const jobs: JobResult[] = [];
  const filesBefore: Record<string, StatInfo> = {};
  let filesAfter: Record<string, StatInfo> = {};
  let stageIn: TransferSummary | undefined;
  let stageOut: TransferSummary | undefined;
  let liveUploads: LiveUpload[] | undefined;
  let liveSummary: LiveSummary | undefined;
  let cwd = plan.cwd;
  const slots: StdioSlot[] = [];
  let metadata: StdioSlot | undefined;
  let integrity: StdioSlot | undefined;
  let monitored: MonitorSummary | undefined;
  let auto: AutoDeadline | undefined;
  const decide = (out?: TransferSummary) =>
    decideOutcome({
      jobs,
      deadlineFired: state.deadlineHit === 'main',
      deadlineBeforeMain: state.deadlineHit === 'before-main',
      stoppedBy: stoppedSignal(state),
      stageIn,
      stageOut: out,
      checkpointExitCode: plan.checkpointExitCode,
      budget: auto?.spent ? 'spent' : auto?.budgetDeadline && state.deadlineFired ? 'deadline' : undefined,
    });

  try {
    if (plan.auto) auto = await AutoDeadline.begin(plan.auto, plan.env, attempt, state, plan.transfer?.history, logger);
    const cwdError = prepareWorkdir(plan);
    metadata = openTemp('metadata');
    env.KICKSTART_METADATA = procPath(metadata);
    integrity = openTemp('integrity');
    env.KICKSTART_INTEGRITY_DATA = procPath(integrity);
    const startError = cwdError ?? openJobStdio(plan, cwd, slots);
    if (startError) {
      logger.error(startError.message);
      jobs.push(failedStart('mainjob', plan.argv, startError.errno));
      if (cwdError) cwd = '';
    } else if (auto?.spent) {
      // --total-walltime used up: nothing runs, and the record says so.
    } else {
      for (const s of plan.statBefore) filesBefore[s.lfn ?? s.path] = statRequest(s, cwd, false);

      if (plan.transfer) {
        const at = round3(state.elapsed());
        stageIn = { ...(await plan.transfer.stageIn({ attempt, cwd, distrust: hooks.distrust })), at };
        if (stageIn.result === 'failed') logger.error({ error: stageIn.error }, 'stage-in failed: the job is not started');
      }
      const stdio = slots as [StdioSlot, StdioSlot, StdioSlot];
      const run = (name: JobName, argv: string[], makeExecutable = false) =>
        runJob({ name, argv, env, cwd, stdio, makeExecutable }, state, reaper, plan.lingerGrace);

      if (stageIn?.result !== 'failed') {
        await monitorReady;
        if (plan.sideJobs.setup && !state.stopping) jobs.push(await run('setup', plan.sideJobs.setup));
        let go = !state.stopping;
        if (plan.sideJobs.prejob && go) {
          const pre = await run('prejob', plan.sideJobs.prejob);
          jobs.push(pre);
          go = pre.exitCode === 0 && !state.stopping;
        }
        if (go) {
          const live = await plan.transfer?.live?.({
            attempt,
            cwd,
            request: (signal) => state.send(signal, 'checkpoint-request'),
            clock: () => state.elapsed(),
            intervalMs: auto?.interval ? Math.max(50, Math.round(auto.interval.interval * 1000)) : undefined,
          });
          const monitor = startMonitor(plan, state, attempt, logger);
          const tracer = plan.trace ? new Tracer(() => state.processes()) : undefined;
          tracer?.start();
          const main = await run('mainjob', plan.argv, plan.makeExecutable);
          if (tracer) main.record.procs = Object.fromEntries(tracer.stop().map((p) => [String(p.pid), p]));
          monitored = await monitor?.stop();
          // Before the final stage-out: its generation must come after every live one.
          const report = await live?.stop();
          liveUploads = report?.uploads;
          liveSummary = report?.summary;
          jobs.push(main);
          if (plan.sideJobs.postjob && main.exitCode === 0 && !state.stopping) {
            jobs.push(await run('postjob', plan.sideJobs.postjob));
          }
        }
        filesAfter = {};
        for (const s of plan.statAfter) filesAfter[s.lfn ?? s.path] = await statRequestAsync(s, cwd);
      }
      await state.settle();
      if (plan.transfer && stageIn?.result !== 'failed') {
        const at = round3(state.elapsed());
        // How the attempt ends so far decides whether its generation is a good one.
        const clean = isCleanOutcome(decide().outcome, state.stoppedBy !== undefined);
        stageOut = { ...(await plan.transfer.stageOut({ attempt, cwd, clean })), at };
        if (stageOut.result === 'failed') logger.error({ error: stageOut.error }, 'stage-out failed');
      }
      if (plan.sideJobs.cleanup) jobs.push(await run('cleanup', plan.sideJobs.cleanup));
    }
  } catch (e) {
    // An internal fault: no record comes, so the capture files must not stay behind in /tmp.
    for (const slot of [...slots, metadata, integrity]) if (slot) closeStdio(slot);
    throw e;
  } finally {
    auto?.stop();
    state.disarm();
    await state.settle();
    hooks.onState?.(undefined);
  }

  const outcome = decide(stageOut);
  await auto?.finish({ main: jobs.find((j) => j.name === 'mainjob'), stageOut, outcome: outcome.outcome });
  const failed = outcome.outcome !== 'completed';
  // Pegasus's order: -S, -s, what tools wrote to KICKSTART_INTEGRITY_DATA, then the streams.
  const files: Record<string, StatInfo> = { ...filesBefore, ...filesAfter, ...(await integrityEntries(integrity, logger)) };
  for (const slot of [...slots, metadata]) {
    if (!slot) continue;
    files[slot.name] = streamBlock(slot, plan, failed);
  }
  if (plan.full || failed) {
    files.kickstart = statInfo(plan.selfPath);
    // Where this record goes, as it is before the record is added.
    if (plan.recordFile !== null) files.logfile = plan.recordFile === undefined ? statFd(1, { descriptor_number: 1 }) : statInfo(plan.recordFile);
  }
  for (const slot of [...slots, metadata, integrity]) if (slot) closeStdio(slot);

  const record = buildRecord(plan, state, jobs, files, cwd, failed, await census);
  record.kickstart = {
    version: VERSION,
    outcome: outcome.outcome,
    attempt,
    exitcode: outcome.exitCode,
    deadline:
      state.deadlines.termAt === undefined && !auto
        ? undefined
        : {
            checkpoint_time: state.deadlines.termAt !== undefined ? state.deadlines.termAt / 1000 : undefined,
            kill_time: state.deadlines.killAt !== undefined ? state.deadlines.killAt / 1000 : undefined,
            fired: state.deadlineFired,
            fired_at: state.firedAt,
            plan: auto?.record(),
          },
    signals: state.signals,
    lingering: state.lingering.length ? state.lingering : undefined,
    stage_in: stageIn,
    stage_out: stageOut,
    live_uploads: liveUploads?.length ? liveUploads : undefined,
    live: liveSummary,
    monitor: monitored,
    subreaper: plan.subreaper,
  };
  return { record, outcome, stoppedFromOutside: state.stoppedBy !== undefined };
}

function stoppedSignal(state: AttemptState): number | undefined {
  return state.stoppedBy ? constants.signals[state.stoppedBy] : undefined;
}

/** Resource sampling of the main job's tree, started just before it (--monitor-interval). */
function startMonitor(plan: Plan, state: AttemptState, attempt: number, logger: Logger): Monitor | undefined {
  if (plan.monitorInterval === 0) return undefined;
  const monitor = new Monitor({
    intervalMs: plan.monitorInterval,
    pids: () => state.processes(),
    clock: () => state.elapsed(),
    metricsFile: plan.metricsFile,
    append: attempt !== plan.firstAttempt,
    attempt,
    onError: (what, error) => logger.warn({ error: String(error) }, what === 'metrics' ? `cannot write --metrics ${plan.metricsFile}` : 'resource sampling failed'),
  });
  monitor.start();
  return monitor;
}

function prepareWorkdir(plan: Plan): { message: string; errno: number } | undefined {
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
function openJobStdio(plan: Plan, cwd: string, slots: StdioSlot[]): { message: string; errno: number } | undefined {
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

function failedStart(name: JobName, argv: string[], errno: number): JobResult {
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

function statRequest(s: StatRequest, cwd: string, output: boolean): StatInfo {
  const info: StatInfo = s.error !== undefined ? { error: s.error, file_name: s.path } : statInfo(resolve(cwd, s.path));
  // pegasus-kickstart marks every -s file it could stat as an output, named by an lfn or not.
  const out = output && info.error === undefined ? { output: true } : {};
  return s.lfn !== undefined ? { ...(info.error !== undefined ? { error: info.error } : {}), lfn: s.lfn, ...withoutError(info), ...out } : { ...info, ...out };
}

function withoutError(info: StatInfo): StatInfo {
  const { error: _e, ...rest } = info;
  return rest;
}

async function statRequestAsync(s: StatRequest, cwd: string): Promise<StatInfo> {
  const info = statRequest(s, cwd, true);
  if (info.error !== undefined) return info;
  const sum = sha256File(resolve(cwd, s.path));
  return sum ? { ...info, sha256: sum.sha256, checksum_timing: sum.seconds } : info;
}

async function integrityEntries(slot: StdioSlot | undefined, logger: Logger): Promise<Record<string, StatInfo>> {
  if (!slot) return {};
  const text = readTail(slot.fd, 'all').data;
  const parsed = await parseIntegrityData(text);
  if (parsed.problem) logger.warn(`KICKSTART_INTEGRITY_DATA: ${parsed.problem}; those entries are left out of files:`);
  return parsed.entries;
}

function streamBlock(slot: StdioSlot, plan: Plan, failed: boolean): StatInfo {
  if (slot.kind === 'inherit') return statFd(slot.fd, { descriptor_number: slot.fd });
  if (slot.kind === 'file') return statInfo(slot.path!);
  const block = statFd(slot.fd, { temporary_name: slot.path ?? '', descriptor: slot.fd });
  if (slot.name === 'stdin') return block;
  const dropData = plan.quiet && !failed && slot.name !== 'metadata';
  if ((block.size ?? 0) > 0 && !dropData) {
    const tail = readTail(slot.fd, slot.name === 'metadata' ? 'all' : plan.tailBytes);
    block.data_truncated = tail.truncated;
    block.data = tail.data;
  }
  return block;
}

/** The first non-loopback IPv4 interface: found from the OS tables, never by DNS. */
function primaryInterface(): { name?: string; address?: string } {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return { name, address: a.address };
  }
  return { name: 'lo', address: '127.0.0.1' };
}

function buildRecord(
  plan: Plan,
  state: AttemptState,
  jobs: JobResult[],
  files: Record<string, StatInfo>,
  cwd: string,
  failed: boolean,
  census: ProcScan | undefined,
): InvocationRecord {
  const iface = primaryInterface();
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const record: InvocationRecord = {
    invocation: true,
    version: '3.0',
    start: isoMillis(state.startMs),
    duration: state.elapsed(),
    transformation: plan.transformation,
    derivation: plan.derivation,
    resource: plan.resource,
    'wf-label': plan.wfLabel,
    'wf-stamp': plan.wfStamp,
    interface: iface.name,
    hostaddr: iface.address,
    hostname: hostname(),
    pid: process.pid,
    uid,
    user: userName(uid),
    gid,
    group: groupName(gid),
    umask: native().umask(),
    jobids: plan.jobids,
    cwd,
    usage: native().rusage('self'),
    files,
    kickstart: { version: VERSION, signals: [] },
  };
  for (const j of jobs) record[j.name] = j.record;
  if (census) record.machine = machineInfo(census);
  if (plan.full || failed) {
    record.environment = environmentBlock(plan.env);
    record.limits = limits();
  }
  return record;
}
