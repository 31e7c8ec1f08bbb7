/**
 * The transfer step: checkpoint files to a staging site after the job
 * (stage-out), and the newest good generation back before it (stage-in).
 * See stage-out.ts and stage-in.ts for the steps, generations.ts for the
 * layout at the site.
 */
import type { Logger } from '../log.js';
import type { TransferSummary } from '../record/types.js';
import type { SiteOptions, StagingLocation } from '../staging/index.js';
import type { TransferHooks } from './options.js';

export interface TransferOptions {
  /** As given by --checkpoint, relative to cwd (files, dirs, globs). */
  checkpoints: string[];
  /** The job's working directory (absolute). */
  cwd: string;
  /** A staging URL (any kind in staging/registry.ts), or one already resolved. */
  staging: string | StagingLocation;
  jobId: string;
  /** 1-based. */
  attempt: number;
  /** Generations kept at the site; default 2. */
  keep?: number;
  /** Retries after the first try of each transfer; default 3. */
  retries?: number;
  /** First backoff delay, doubled each retry, with jitter, capped at 30 s; default 1000. */
  backoffMs?: number;
  /** The staging kind's own options (e.g. s3Endpoint), used when `staging` is a URL. */
  site?: SiteOptions;
  allowOutside?: boolean;
  logger?: Logger;
  /** Draw a progress bar on stderr when it is a TTY and the transfer lasts > ~2 s. */
  progress?: boolean;
  /** Abort a transfer in flight. */
  signal?: AbortSignal;
  /** Where the progress bar goes; default process.stderr. */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Testing aids (tests pause or disturb the step at named points). */
  hooks?: TransferHooks;
  /**
   * stage-out: the generation comes from a clean end (default true); false
   * after a failed attempt, so it never prunes the newest clean generation.
   */
  clean?: boolean;
  /** stage-in: generations a crash loop has poisoned (see supervise/retry-policy.ts). */
  distrust?: Distrust;
}

/**
 * Passed over: these generations, whatever they hold, and every newer one
 * whose manifest says clean: false (a failed attempt shipped it).
 */
export interface Distrust {
  generations: number[];
  /** Why, for the record and the log. */
  reason: string;
}

export type { TransferSummary };
export type { TransferHooks };
export { stageIn } from './stage-in.js';
export { stageOut } from './stage-out.js';
export { startLive, quieter, type LiveOptions, type LiveRun } from './live.js';
export { listGenerations, type GenerationInfo, type ListOptions } from './list.js';
export { locate, pickSiteOptions, registry, type SiteOptions, type StagingLocation } from '../staging/index.js';
export { checkCheckpointPaths } from './paths.js';
export { checkJobId, checkTransfer } from './options.js';
export { EXIT_OK, EXIT_LIST_FAILED, EXIT_STAGE_IN_FAILED, EXIT_STAGE_OUT_FAILED, EXIT_USAGE } from './exit-codes.js';
export { openHistoryStore, type HistoryStore } from './history-store.js';
