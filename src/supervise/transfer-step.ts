import type { Logger } from '../log.js';
import type { SignalName } from '../process/signal.js';
import type { LiveSummary, LiveUpload, TransferSummary } from '../record/types.js';
import { registry } from '../staging/registry.js';
import type { DeadlineHistory } from '../transfer/deadline-history.js';
import type { LookBack } from '../transfer/look-back.js';
import type { MarkerStore } from './markers.js';
import type { SuperviseOptions } from './options.js';
import { PlanError } from './plan-error.js';

/**
 * The transfer step as the attempts see it (stage-in, stage-out, live
 * shipping, the deadline history and start markers at the staging site),
 * and its one builder: the transfer part is loaded only when --staging is
 * given, so runs without it never load the staging code.
 */
export interface TransferStep {
  /**
   * `distrust`: generations a crash loop poisoned (supervise/retry-policy.ts);
   * `ahead`: the attempt's lookBack(), whose listing and manifest are not read again.
   */
  stageIn(at: { attempt: number; cwd: string; distrust?: { generations: number[]; reason: string }; ahead?: LookBack }): Promise<TransferSummary>;
  /** Start markers and the newest manifest at the staging site, in one listing (transfer/look-back.ts). */
  lookBack?(): Promise<LookBack>;
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

/** The deadline history at the staging site, read at an attempt's start and written as it goes. */
export interface HistoryAccess {
  read(): Promise<{ history: DeadlineHistory; problem?: string }>;
  write(h: DeadlineHistory): Promise<void>;
  close?(): void;
}

/** Builds the transfer step lazily, so runs without --staging never load the staging code. */
export async function transferStep(o: SuperviseOptions, plan: { derivation?: string; jobids: Record<string, string> }, logger: Logger): Promise<TransferStep | undefined> {
  checkLiveOptions(o);
  if (!o.staging) {
    if (o.totalWalltime !== undefined) throw new PlanError('--total-walltime needs --staging URL and --checkpoint PATH: the budget is kept in the history at the staging site');
    if (o.checkpointInterval !== undefined) throw new PlanError('--checkpoint-interval needs --staging URL and --checkpoint PATH: it ships the checkpoint there while the job runs');
    if (o.checkpoints?.length) throw new PlanError(`--checkpoint needs --staging URL (${registry.hint}) to ship the files to`);
    if (o.companions?.length) throw new PlanError('--checkpoint-with needs --staging URL and --checkpoint PATH: it ships its files with the checkpoint');
    return undefined;
  }
  if (!o.checkpoints?.length) throw new PlanError('--staging needs at least one --checkpoint PATH to ship');
  const t = await import('../transfer/index.js');
  // Resolved once, by the transfer part's registry: its location opens the site.
  const resolved = t.registry.resolve(o.staging, o.site);
  if (!resolved.ok) throw new PlanError(resolved.message);
  const jobId = o.jobId ?? plan.derivation ?? Object.values(plan.jobids)[0];
  if (!jobId) {
    throw new PlanError('--staging needs a job id to name this job at the staging site: give --job-id ID (or -N derivation)');
  }
  const idProblem = t.checkJobId(jobId);
  if (idProblem) throw new PlanError(o.jobId === undefined ? `${idProblem}; the job id comes from -N or the batch job id here: give --job-id ID` : idProblem);
  const base = {
    checkpoints: o.checkpoints,
    companions: o.companions,
    staging: resolved.location,
    jobId,
    keep: o.keep,
    retries: o.transferRetries,
    backoffMs: o.transferBackoff,
    allowOutside: o.allowOutside,
    logger,
    progress: true,
  };
  const interval = o.checkpointInterval;
  const requestSignal = o.checkpointSignal;
  const usesHistory = o.maxWalltime === 'auto' || o.totalWalltime !== undefined;
  const store = usesHistory ? t.openHistoryStore({ staging: resolved.location, jobId }) : undefined;
  return {
    markers: t.siteMarkers(resolved.location, jobId),
    lookBack: () => t.lookBack(resolved.location, jobId),
    stageIn: ({ attempt, cwd, distrust, ahead }) => t.stageIn({ ...base, attempt, cwd, distrust, ahead }),
    stageOut: ({ attempt, cwd, clean }) => t.stageOut({ ...base, attempt, cwd, clean }),
    history: store,
    live:
      interval === undefined
        ? undefined
        : ({ attempt, cwd, request, clock, intervalMs }) =>
            t.startLive({
              checkpoints: base.checkpoints,
              companions: base.companions,
              cwd,
              // 'auto' without a history to choose from: Young's rule with the default costs, chosen by the attempt.
              intervalMs: intervalMs ?? (interval === 'auto' ? DEFAULT_AUTO_INTERVAL : interval),
              request: requestSignal ? () => request(requestSignal) : undefined,
              // Quiet: a generation every few seconds must not flood stderr with info lines.
              // A live trigger is a clean end of its own: the app wrote that checkpoint whole.
              ship: (signal, pick) => t.stageOut({ ...base, attempt, cwd, signal, pick, clean: true, progress: false, logger: t.quieter(logger) }),
              clock,
              logger,
            }),
  };
}

/** Below this, shipping would only measure the staging site's latency. */
const MIN_CHECKPOINT_INTERVAL = 50;

/** Never used in practice: an 'auto' attempt always passes its chosen interval. */
const DEFAULT_AUTO_INTERVAL = 60_000;

function checkLiveOptions(o: SuperviseOptions): void {
  const ms = o.checkpointInterval;
  if (ms !== undefined && ms !== 'auto' && !(Number.isInteger(ms) && ms >= MIN_CHECKPOINT_INTERVAL)) {
    throw new PlanError(`--checkpoint-interval ${ms} ms is too short: use ${MIN_CHECKPOINT_INTERVAL}ms or more (e.g. 500ms, 30s, 5m)`);
  }
  if (o.checkpointSignal !== undefined && ms === undefined) {
    throw new PlanError('--checkpoint-signal needs --checkpoint-interval DUR: the signal is sent once per interval');
  }
}
