import { EXIT } from '../../exit-codes.js';
import { createLogger } from '../../log.js';
import { appendRecord } from '../../record/write.js';
import { supervise } from '../../supervise/index.js';
import { parseRunArgs, recordWriter } from '../run-options.js';

/** The main command: parse pegasus-kickstart's flags, supervise, write each record. */
export async function runMain(argv: string[]): Promise<number> {
  const { options, logLevel } = parseRunArgs(argv);
  const logger = createLogger(logLevel);
  options.logger = logger;
  const file = options.recordFile ?? null;
  const writer = recordWriter(options.format, logger, (text) => appendRecord(file, text), options.recordFile ?? 'stdout');
  options.onRecord = writer.onRecord;
  const result = await supervise(options);
  return writer.failed() && result.exitCode === EXIT.completed ? EXIT.writeFailed : result.exitCode;
}
