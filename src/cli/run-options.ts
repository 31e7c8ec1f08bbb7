import { attemptRecordPath, replaceRecord } from '../record/write.js';
import { toJsonLine, toYaml } from '../record/yaml.js';
import type { LevelName, Logger } from '../log.js';
import type { SuperviseOptions } from '../supervise/index.js';
import { readFlags } from './add-flags.js';
import { UsageError, quietOutput } from './errors.js';
import { mainProgram } from './program.js';

/** A parsed kickstart command line: the supervisor's options and the log level asked for. */
export interface RunArgs {
  options: SuperviseOptions;
  logLevel: LevelName;
  /** Whether --log-level was given (a batch task inherits the batch's logger otherwise). */
  logLevelGiven: boolean;
  /** --attempt-records: each attempt's record also alone in recordFile.NNN. */
  attemptRecords: boolean;
}

/**
 * The main command's flags to plain options: one place for the single run
 * and each task of a batch, so a batch line means what it means on the
 * command line. Throws commander's error or a UsageError on bad flags.
 */
export function parseRunArgs(argv: string[]): RunArgs {
  const program = mainProgram();
  program.exitOverride();
  quietOutput(program);
  program.parse(argv, { from: 'user' });
  const { logLevel, createWorkdir, attemptRecords, ...flags } = readFlags<
    Partial<SuperviseOptions> & { logLevel: LevelName; createWorkdir?: string; attemptRecords?: boolean }
  >('run', program.opts());
  if (attemptRecords && flags.recordFile === undefined) {
    throw new UsageError('--attempt-records needs -l FILE: the attempts are written to FILE.000, FILE.001, ...');
  }
  const command: string[] = program.args;
  if (flags.argFile !== undefined) checkNothingAfterArgFile(argv, command.length);
  if (command.length === 0 && flags.argFile === undefined) {
    throw new UsageError('no command to run: kickstart [options] [--] executable [args...] (see kickstart --help)');
  }
  if (flags.workdir !== undefined && createWorkdir !== undefined) {
    throw new UsageError('-w and -W both name a working directory: use one');
  }
  // The table's rows land in SuperviseOptions' keys (flags.ts: `to`, `into`); -W is -w that creates.
  const options: SuperviseOptions = {
    ...flags,
    argv: command,
    ...(createWorkdir !== undefined ? { workdir: createWorkdir, createWorkdir: true } : {}),
    subreaper: true,
    forwardSignals: true,
  };
  return { options, logLevel, logLevelGiven: program.getOptionValueSource('logLevel') !== 'default', attemptRecords: attemptRecords === true };
}

/** Serialises each record and appends it; `failed()` says whether any write was lost. */
export function recordWriter(
  format: SuperviseOptions['format'],
  logger: Logger,
  write: (text: string) => { ok: true } | { ok: false; code: string },
  where: string,
): { onRecord: NonNullable<SuperviseOptions['onRecord']>; failed: () => boolean } {
  let writeFailed = false;
  return {
    onRecord: (record) => {
      const written = write(format === 'json' ? toJsonLine(record) : toYaml(record));
      if (!written.ok) {
        writeFailed = true;
        logger.error({ error: written.code }, `cannot write the record to ${where}`);
      }
    },
    failed: () => writeFailed,
  };
}

/**
 * Where a run's records go: each one through `write` (the -l file or stdout,
 * or a batch's held output), and with --attempt-records each attempt alone in
 * FILE.NNN as well (Pegasus's parser reads the first record of a file only).
 * One place for the single run and a batch line, so --attempt-records means
 * the same in both.
 */
export function recordSink(
  options: SuperviseOptions,
  attemptRecords: boolean,
  logger: Logger,
  write: (text: string) => { ok: true } | { ok: false; code: string },
  where: string,
): { onRecord: NonNullable<SuperviseOptions['onRecord']>; failed: () => boolean } {
  const all = recordWriter(options.format, logger, write, where);
  const file = options.recordFile;
  if (!attemptRecords || typeof file !== 'string') return all;
  let path = '';
  const each = recordWriter(options.format, logger, (text) => replaceRecord(path, text), `${file}.NNN`);
  return {
    onRecord: (record) => {
      all.onRecord(record);
      path = attemptRecordPath(file, record.kickstart.attempt ?? 1);
      each.onRecord(record);
    },
    failed: () => all.failed() || each.failed(),
  };
}

/**
 * pegasus-kickstart takes the whole command from the -I file and refuses
 * anything after `-I FILE` (an option there would silently be dropped or run
 * as the command), and Pegasus's tools rely on that. Everything before -I is
 * kickstart's own options.
 */
function checkNothingAfterArgFile(argv: string[], commandWords: number): void {
  const optionsEnd = argv.length - commandWords;
  for (let i = 0; i < optionsEnd; i++) {
    const a = argv[i];
    if (a === '--') break;
    const joined = (a.startsWith('-I') && a.length > 2) || a.startsWith('--arg-file=');
    if (a !== '-I' && a !== '--arg-file' && !joined) continue;
    const valueAt = joined ? i : i + 1;
    if (valueAt < argv.length - 1) {
      const file = joined ? a.replace(/^(-I|--arg-file=)/, '') : argv[valueAt];
      throw new UsageError(`No arguments allowed after -I fn: '${argv[valueAt + 1]}' follows -I ${file}; put options before -I and the command in the file`);
    }
    return;
  }
}
