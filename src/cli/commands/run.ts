import { EXIT } from '../../exit-codes.js';
import { createLogger } from '../../log.js';
import { appendRecord, attemptRecordPath, replaceRecord } from '../../record/write.js';
import { supervise } from '../../supervise/index.js';
import { parseRunArgs, recordWriter } from '../run-options.js';

/** The main command: parse pegasus-kickstart's flags, supervise, write each record. */
export async function runMain(argv: string[]): Promise<number> {
  const { options, logLevel, attemptRecords } = parseRunArgs(argv);
  const logger = createLogger(logLevel);
  options.logger = logger;
  const file = options.recordFile ?? null;
  const writer = recordWriter(options.format, logger, (text) => appendRecord(file, text), options.recordFile ?? 'stdout');
  options.onRecord = writer.onRecord;
  let each: ReturnType<typeof recordWriter> | undefined;
  if (attemptRecords && file !== null) {
    // Each attempt alone in FILE.NNN as well: Pegasus's parser reads the first record of a file only.
    let path = '';
    each = recordWriter(options.format, logger, (text) => replaceRecord(path, text), `${file}.NNN`);
    options.onRecord = (record) => {
      writer.onRecord(record);
      path = attemptRecordPath(file, record.kickstart.attempt ?? 1);
      each!.onRecord(record);
    };
  }
  const result = await supervise(options);
  return (writer.failed() || each?.failed()) && result.exitCode === EXIT.completed ? EXIT.writeFailed : result.exitCode;
}
