import path from 'node:path';
import type { Command } from 'commander';
import { createLogger } from '../../log.js';
import { addFlags, readFlags } from '../add-flags.js';
import { ExitError, UsageError } from '../errors.js';
import {
  stageIn,
  stageOut,
  registry,
  checkTransfer,
  EXIT_STAGE_IN_FAILED,
  EXIT_STAGE_OUT_FAILED,
  EXIT_USAGE,
  type TransferOptions,
} from '../../transfer/index.js';
import { registerCheckpointsCommand } from './checkpoints.js';

/** The transfer command's values, as the flag table reads them (readFlags). */
interface TransferFlags extends Partial<Omit<TransferOptions, 'staging'>> {
  in?: boolean;
  out?: boolean;
  staging?: string;
  workdir?: string;
  transferRetries?: number;
  transferBackoff?: number;
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
    .description('run the checkpoint transfer step alone: --in before a job, --out after it');
  addFlags(transfer, 'transfer').action(async (values: Record<string, unknown>) => {
      const flags = readFlags<TransferFlags>('transfer', values);
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

/** The table's values to TransferOptions, checked once, or a UsageError (exit 127) naming the flag. */
export function parseTransferFlags(f: TransferFlags): TransferOptions {
  const usage = (msg: string): never => {
    process.exitCode = EXIT_USAGE;
    throw new UsageError(`kickstart transfer: ${msg}`);
  };
  if (!f.in && !f.out) usage('say --in (stage-in, before the job) or --out (stage-out, after it)');
  if (!f.staging) usage(`--staging is required: ${registry.hint}`);
  if (!f.jobId) usage('--job-id is required: it names the job at the staging site');
  if (f.out && !f.checkpoints?.length) usage('--checkpoint is required with --out: a file, directory or glob (repeatable)');
  const resolved = registry.resolve(f.staging!, f.site);
  if (!resolved.ok) return usage(resolved.message);
  const { in: _in, out: _out, workdir, transferRetries, transferBackoff, ...rest } = f;
  const o: TransferOptions = {
    ...rest,
    checkpoints: f.checkpoints ?? [],
    cwd: path.resolve(workdir ?? process.cwd()),
    staging: resolved.location,
    jobId: f.jobId!,
    attempt: f.attempt ?? 1,
    retries: transferRetries,
    backoffMs: transferBackoff,
  };
  const problem = checkTransfer(o, f.in ? 'in' : 'out');
  if (problem) usage(problem);
  return o;
}
