import path from 'node:path';
import { silentLogger, type Logger } from '../log.js';
import { registry, type SiteOptions, type StagingLocation } from '../staging/index.js';
import { checkCheckpointPaths } from './paths.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import type { Collected } from './collect.js';
import type { LookBack } from './look-back.js';

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
  /**
   * How stage-out stores a generation: 'chunks' (default): content-addressed
   * chunks shared by all generations, only new ones sent; 'object': one data
   * object per generation (the layout before chunks, still read by stage-in).
   */
  layout?: 'chunks' | 'object';
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
  /** stage-in: the attempt's look at the site (look-back.ts): its listing and newest manifest are not read again. */
  ahead?: LookBack;
  /**
   * --checkpoint-with: append-only files shipped with the checkpoint, read
   * up to their size at that moment, after the checkpoint proper.
   */
  companions?: string[];
  /** Live shipping: narrows what was found to what it decided to ship (see live.ts). */
  pick?: (found: Collected) => Collected;
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

/** Testing aids: observe or pause the step at named points (tests kill a child there). */
export interface TransferHooks {
  /** stage-out: 'collected', 'uploading' (first bytes stored), 'uploaded', 'published', 'pruned'. */
  phase?: (name: string) => void | Promise<void>;
  /** After a checkpoint file's bytes were read, before the check that it did not change. */
  afterRead?: (path: string, attempt: number) => void | Promise<void>;
}

export interface Normalized {
  checkpoints: string[];
  companions: string[];
  pick?: (found: Collected) => Collected;
  cwd: string;
  /** The URL for messages and the record. */
  staging: string;
  /** The site, resolved once; undefined when the URL is bad (checkOptions says why). */
  location?: StagingLocation;
  /** Why the URL is bad. */
  stagingProblem?: string;
  /** Masks secrets the site's adapter might echo. */
  redact: (text: string) => string;
  jobId: string;
  attempt: number;
  keep: number;
  layout: 'chunks' | 'object';
  retry: RetryPolicy;
  allowOutside: boolean;
  logger: Logger;
  progress: boolean;
  progressStream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  signal?: AbortSignal;
  hooks: TransferHooks;
  clean: boolean;
  distrust?: Distrust;
  ahead?: LookBack;
}

export const BACKOFF_CAP_MS = 30_000;
export const TORN_TRIES = 3;
export const REPLACED_TRIES = 10;

/** Copies the options once into a null-prototype object with every default set. */
export function normalizeOptions(o: TransferOptions): Normalized {
  const r = typeof o.staging === 'string' ? registry.resolve(o.staging, o.site) : ({ ok: true, location: o.staging } as const);
  const n: Normalized = Object.assign(Object.create(null) as Normalized, {
    checkpoints: [...(o.checkpoints ?? [])],
    companions: [...(o.companions ?? [])],
    pick: o.pick,
    cwd: path.resolve(o.cwd ?? process.cwd()),
    staging: r.ok ? r.location.url : String(o.staging),
    location: r.ok ? r.location : undefined,
    stagingProblem: r.ok ? undefined : r.message,
    redact: r.ok ? r.location.redact : registry.redact,
    jobId: o.jobId,
    attempt: o.attempt ?? 1,
    keep: o.keep ?? 2,
    layout: o.layout ?? 'chunks',
    retry: {
      retries: o.retries ?? DEFAULT_RETRY.retries,
      baseMs: o.backoffMs ?? DEFAULT_RETRY.baseMs,
      capMs: Math.max(o.backoffMs ?? 0, BACKOFF_CAP_MS),
    },
    allowOutside: o.allowOutside === true,
    logger: o.logger ?? silentLogger,
    progress: o.progress === true,
    progressStream: o.progressStream ?? process.stderr,
    signal: o.signal,
    hooks: o.hooks ?? {},
    clean: o.clean !== false,
    distrust: o.distrust,
    ahead: o.ahead,
  });
  return n;
}

const JOB_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/** undefined when the job id can name a folder at the staging site, else a one-line message. */
export function checkJobId(id: string): string | undefined {
  if (typeof id !== 'string' || !JOB_ID.test(id) || id.endsWith('.')) {
    return `--job-id '${id ?? ''}': use 1 to 200 letters, digits, '.', '_' or '-' (not starting with '.' or '-')`;
  }
  return undefined;
}

/** Every problem with the options that retrying cannot fix, as one line; undefined when fine. */
export function checkOptions(n: Normalized, direction: 'in' | 'out'): string | undefined {
  if (n.stagingProblem) return n.stagingProblem;
  const job = checkJobId(n.jobId);
  if (job) return job;
  if (!path.isAbsolute(n.cwd)) return `working directory '${n.cwd}' is not absolute`;
  if (!Number.isSafeInteger(n.keep) || n.keep < 1) return `--keep ${n.keep}: keep at least 1 generation`;
  if (!Number.isSafeInteger(n.retry.retries) || n.retry.retries < 0) return `--transfer-retries ${n.retry.retries}: use 0 or more`;
  if (!Number.isFinite(n.retry.baseMs) || n.retry.baseMs < 0) return `--transfer-backoff ${n.retry.baseMs}: use a duration like 1s`;
  if (!Number.isSafeInteger(n.attempt) || n.attempt < 1) return `--attempt ${n.attempt}: attempts count from 1`;
  if (direction === 'out') return checkCheckpointPaths([...n.checkpoints, ...n.companions], n.cwd, n.allowOutside);
  return undefined;
}

/** The options' problems, as checkOptions finds them, for a caller that has not normalized them (the CLI). */
export function checkTransfer(o: TransferOptions, direction: 'in' | 'out'): string | undefined {
  return checkOptions(normalizeOptions(o), direction);
}
