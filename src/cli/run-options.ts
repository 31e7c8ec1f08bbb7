import { toJsonLine, toYaml } from '../record/yaml.js';
import type { LevelName, Logger } from '../log.js';
import { pickSiteOptions } from '../staging/registry.js';
import type { SuperviseOptions } from '../supervise/index.js';
import { UsageError } from './errors.js';
import { quietOutput } from './main.js';
import { mainProgram } from './program.js';

/** A parsed kickstart command line: the supervisor's options and the log level asked for. */
export interface RunArgs {
  options: SuperviseOptions;
  logLevel: LevelName;
  /** Whether --log-level was given (a batch task inherits the batch's logger otherwise). */
  logLevelGiven: boolean;
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
  const o = program.opts();
  const command: string[] = program.args;
  if (command.length === 0 && o.argFile === undefined) {
    throw new UsageError('no command to run: kickstart [options] [--] executable [args...] (see kickstart --help)');
  }
  if (o.workdir !== undefined && o.createWorkdir !== undefined) {
    throw new UsageError('-w and -W both name a working directory: use one');
  }
  const options: SuperviseOptions = {
    argv: command,
    argFile: o.argFile,
    transformation: o.transformation,
    derivation: o.derivation,
    resource: o.resource,
    wfLabel: o.wfLabel,
    wfStamp: o.wfStamp,
    noMachine: o.machine === false,
    full: o.full,
    quiet: o.quiet,
    stdin: o.stdin,
    stdout: o.stdout,
    stderr: o.stderr,
    tailBytes: o.tail,
    recordFile: o.recordFile,
    format: o.format,
    workdir: o.workdir ?? o.createWorkdir,
    createWorkdir: o.createWorkdir !== undefined,
    statAfter: o.statAfter,
    statBefore: o.statBefore,
    makeExecutable: o.makeExecutable,
    termAfter: o.termAfter,
    killAfter: o.killAfter,
    checkpointTime: o.checkpointTime,
    maxWalltime: o.maxWalltime,
    checkpointExitCode: o.checkpointExitCode,
    checkpoints: o.checkpoint,
    staging: o.staging,
    jobId: o.jobId,
    keep: o.keep,
    transferRetries: o.transferRetries,
    transferBackoff: o.transferBackoff,
    site: pickSiteOptions(o),
    allowOutside: o.allowOutside,
    checkpointInterval: o.checkpointInterval,
    checkpointSignal: o.checkpointSignal,
    retries: o.retries,
    retryDelay: o.retryDelay,
    attempt: o.attempt,
    lingerGrace: o.lingerGrace,
    monitorInterval: o.monitorInterval,
    metricsFile: o.metrics,
    subreaper: true,
    forwardSignals: true,
  };
  return { options, logLevel: o.logLevel, logLevelGiven: program.getOptionValueSource('logLevel') !== 'default' };
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
