import { constants } from 'node:os';
import type { Logger } from '../log.js';
import type { Reaper } from '../process/reaper.js';
import { startCensus } from '../record/machine.js';
import type { InvocationRecord, JobName, LiveSummary, LiveUpload, StatInfo, TransferSummary } from '../record/types.js';
import { AttemptState, round3 } from './attempt.js';
import { runJob } from './run-job.js';
import type { JobResult } from './job.js';
import type { Plan } from './plan.js';
import { decideOutcome, type OutcomeResult } from './outcome.js';
import { isCleanOutcome } from './retry-policy.js';
import { statRequest, statRequestAsync } from './files-block.js';
import { attemptRecord } from './attempt-record.js';
import { failedStart, openJobStdio, prepareWorkdir, startMonitor } from './attempt-start.js';
import { closeStdio, openTemp, procPath, type StdioSlot } from './stdio.js';
import { startMarkers, type AttemptMarkers } from './markers.js';
import { chooseFirstAttempt, type AttemptNumber } from './attempt-number.js';
import { earlierAttempts } from './earlier-attempts.js';
import { AutoDeadline } from './auto-deadline.js';
import { warmUp, type MonitorSummary } from '../monitor/index.js';
import { Tracer } from '../monitor/trace.js';

export interface AttemptResult {
  /** Its number, as chosen at its start. */
  attempt: number;
  record: InvocationRecord;
  outcome: OutcomeResult;
  stoppedFromOutside: boolean;
  /** Removed by the caller once the record is written (clearMarkers). */
  markers: AttemptMarkers;
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
  /** 'first': numbered at its start from what earlier attempts left (attempt-number.ts). */
  numbering: AttemptNumber | 'first',
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
  const warn = (msg: string, err?: unknown) => logger.warn(err === undefined ? {} : { error: String(err) }, msg);
  // The number is settled before the start marker, which carries it, is written.
  const earlier = await earlierAttempts(plan, warn);
  const first = numbering === 'first';
  const numbered = first
    ? chooseFirstAttempt({ given: plan.attempt, restart: plan.restart, markers: earlier.leftBehind.map((m) => m.attempt), manifest: earlier.manifestAttempt })
    : numbering;
  const attempt = numbered.attempt;
  logger.debug({ attempt, attempt_from: numbered.from, argv: plan.argv }, 'attempt starts');
  const markers = await startMarkers(plan.markers, attempt, earlier.leftBehind, warn);
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
        stageIn = { ...(await plan.transfer.stageIn({ attempt, cwd, distrust: hooks.distrust, ahead: earlier.ahead })), at };
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
          const monitor = startMonitor(plan, state, attempt, first, logger);
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
  const record = await attemptRecord({
    plan,
    attempt,
    attemptFrom: numbered.from,
    state,
    outcome,
    cwd,
    jobs,
    filesBefore,
    filesAfter,
    slots,
    metadata,
    integrity,
    census,
    markers,
    logger,
    kickstart: { deadlinePlan: auto?.record(), stageIn, stageOut, liveUploads, live: liveSummary, monitor: monitored },
  });
  return { attempt, record, outcome, stoppedFromOutside: state.stoppedBy !== undefined, markers };
}

function stoppedSignal(state: AttemptState): number | undefined {
  return state.stoppedBy ? constants.signals[state.stoppedBy] : undefined;
}

