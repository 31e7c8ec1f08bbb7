import { createLogger } from '../../log.js';
import { pickSiteOptions } from '../../staging/registry.js';
import { appendRecord } from '../../record/write.js';
import { toJsonLine, toYaml } from '../../record/yaml.js';
import { supervise, type SuperviseOptions } from '../../supervise/index.js';
import { UsageError } from '../errors.js';
import { quietOutput } from '../main.js';
import { mainProgram } from '../program.js';

/** The main command: parse pegasus-kickstart's flags, supervise, write each record. */
export async function runMain(argv: string[]): Promise<number> {
  const program = mainProgram();
  program.exitOverride();
  quietOutput(program);
  program.parse(argv, { from: 'user' });
  const o = program.opts();
  const logger = createLogger(o.logLevel);
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
    logger,
  };
  let writeFailed = false;
  options.onRecord = (record) => {
    const text = options.format === 'json' ? toJsonLine(record) : toYaml(record);
    const written = appendRecord(options.recordFile ?? null, text);
    if (!written.ok) {
      writeFailed = true;
      logger.error({ error: written.code }, `cannot write the record to ${options.recordFile ?? 'stdout'}`);
    }
  };
  const result = await supervise(options);
  return writeFailed && result.exitCode === 0 ? 1 : result.exitCode;
}
