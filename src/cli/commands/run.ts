import { EXIT } from '../../exit-codes.js';
import { createLogger } from '../../log.js';
import { appendRecord } from '../../record/write.js';
import { supervise } from '../../supervise/index.js';
import { parseRunArgs, recordSink } from '../run-options.js';

/** The main command: parse pegasus-kickstart's flags, supervise, write each record. */
export async function runMain(argv: string[]): Promise<number> {
  const { options, logLevel, attemptRecords } = parseRunArgs(argv);
  const logger = createLogger(logLevel);
  options.logger = logger;
  const file = options.recordFile ?? null;
  const sink = recordSink(options, attemptRecords, logger, (text) => appendRecord(file, text), options.recordFile ?? 'stdout');
  options.onRecord = sink.onRecord;
  const result = await supervise(options);
  return sink.failed() && result.exitCode === EXIT.completed ? EXIT.writeFailed : result.exitCode;
}
