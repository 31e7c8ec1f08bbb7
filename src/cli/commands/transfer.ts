import path from 'node:path';
import { Command, Option } from 'commander';
import { createLogger } from '../../log.js';
import { parseDuration } from '../../supervise/duration.js';
import { ExitError, UsageError } from '../errors.js';
import {
  stageIn,
  stageOut,
  pickSiteOptions,
  registry,
  checkCheckpointPaths,
  checkJobId,
  EXIT_STAGE_IN_FAILED,
  EXIT_STAGE_OUT_FAILED,
  EXIT_USAGE,
  type TransferOptions,
} from '../../transfer/index.js';
import { addSiteOptions } from '../program.js';
import { registerCheckpointsCommand } from './checkpoints.js';

/** Raw values as commander hands them over; parsed in one place below. */
interface TransferFlags {
  /** Site options of the staging kinds (--s3-endpoint...), picked by pickSiteOptions. */
  [siteOption: string]: unknown;
  in?: boolean;
  out?: boolean;
  checkpoint: string[];
  staging?: string;
  jobId?: string;
  workdir: string;
  attempt: string;
  keep: string;
  transferRetries: string;
  transferBackoff: string;
  allowOutside?: boolean;
  progress: boolean;
}

/**
 * `kickstart transfer --in|--out ...`: the transfer step alone, for shell
 * job wrappers. Prints the TransferSummary as one JSON line on stdout.
 * Exit 0 for 'ok' and 'none', 20 when stage-in failed, 21 when stage-out
 * failed, 127 for usage errors. Also adds `kickstart checkpoints ls`.
 */
export function registerTransferCommands(program: Command): void {
  const transfer = program
    .command('transfer')
    .description('run the checkpoint transfer step alone: --in before a job, --out after it')
    .addOption(new Option('--in', 'stage-in: fetch, verify and restore the newest good generation').conflicts('out'))
    .addOption(new Option('--out', 'stage-out: upload the declared checkpoint files as a new generation').conflicts('in'))
    .option('--checkpoint <path>', 'checkpoint file, directory or glob, relative to --workdir (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--staging <url>', `staging site: ${registry.hint}`)
    .option('--job-id <id>', 'names the job at the staging site')
    .option('--workdir <dir>', "the job's working directory", process.cwd())
    .option('--attempt <n>', 'attempt number, from 1 (recorded in the manifest)', '1')
    .option('--keep <n>', 'generations to keep at the staging site', '2')
    .option('--transfer-retries <n>', 'retries of each transfer before giving up', '3')
    .option('--transfer-backoff <duration>', 'first retry delay; doubles each retry, with jitter, capped at 30s', '1s')
    .option('--allow-outside', 'allow checkpoint paths outside the working directory')
    .option('--no-progress', 'no progress bar, even on a terminal');
  addSiteOptions(transfer);
  transfer.action(async (flags: TransferFlags) => {
      const o = parseTransferFlags(flags);
      const logger = createLogger('info');
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const r = flags.in ? await stageIn({ ...o, logger, signal: ac.signal }) : await stageOut({ ...o, logger, signal: ac.signal });
        process.stdout.write(JSON.stringify(r) + '\n');
        if (r.result === 'failed') {
          logger.error({ url: r.url }, r.error ?? 'transfer failed');
          const code = flags.in ? EXIT_STAGE_IN_FAILED : EXIT_STAGE_OUT_FAILED;
          process.exitCode = code;
          throw new ExitError(code);
        }
      } finally {
        process.removeListener('SIGINT', stop);
        process.removeListener('SIGTERM', stop);
      }
    });
  registerCheckpointsCommand(program);
}

/** Flags to TransferOptions, or a UsageError (exit 127) naming the flag. */
export function parseTransferFlags(f: TransferFlags): TransferOptions {
  const usage = (msg: string): never => {
    process.exitCode = EXIT_USAGE;
    throw new UsageError(`kickstart transfer: ${msg}`);
  };
  if (!f.in && !f.out) usage('say --in (stage-in, before the job) or --out (stage-out, after it)');
  if (!f.staging) usage(`--staging is required: ${registry.hint}`);
  const resolved = registry.resolve(f.staging!, pickSiteOptions(f));
  if (!resolved.ok) return usage(resolved.message);
  if (!f.jobId) usage('--job-id is required: it names the job at the staging site');
  const idProblem = checkJobId(f.jobId!);
  if (idProblem) usage(idProblem);
  if (f.out && f.checkpoint.length === 0) usage('--checkpoint is required with --out: a file, directory or glob (repeatable)');
  const cwd = path.resolve(f.workdir);
  if (f.checkpoint.length > 0) {
    const pathProblem = checkCheckpointPaths(f.checkpoint, cwd, f.allowOutside === true);
    if (pathProblem) usage(pathProblem);
  }
  const whole = (flag: string, v: string, min: number): number => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < min) usage(`${flag} '${v}' is not a whole number >= ${min}`);
    return Number(v);
  };
  const backoff = parseDuration(f.transferBackoff, 's');
  if (backoff === undefined) usage(`--transfer-backoff '${f.transferBackoff}' is not a duration: use e.g. 1s, 500ms, 2m`);
  return {
    checkpoints: f.checkpoint,
    cwd,
    staging: resolved.location,
    jobId: f.jobId!,
    attempt: whole('--attempt', f.attempt, 1),
    keep: whole('--keep', f.keep, 1),
    retries: whole('--transfer-retries', f.transferRetries, 0),
    backoffMs: backoff,
    allowOutside: f.allowOutside === true,
    progress: f.progress !== false,
  };
}
