import { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createLogger, type LevelName, type Logger } from '../../log.js';
import { clusterSummaryLine, clusterTaskLine, exitStatus } from '../../record/cluster.js';
import { appendRecord } from '../../record/write.js';
import type { BatchLine, TaskEnd } from '../../supervise/batch.js';
import { runBatch } from '../../supervise/batch.js';
import { parseBatchLine } from '../batch-line.js';
import { UsageError, quietOutput } from '../errors.js';
import { recordSink, recordWriter } from '../run-options.js';
import { EXIT } from '../../exit-codes.js';
import { addFlags } from '../add-flags.js';

const EXAMPLES = `
Each line is one task, written as a kickstart command line: flags, then the
command (quoted as in a POSIX shell; nothing is expanded: no $VAR, no globs).
Blank lines and lines starting with # are skipped; a leading "kickstart" or
"pegasus-kickstart" word is dropped, so pegasus-cluster inputs run as they are.

Examples:
  kickstart batch tasks.txt               run the tasks one after another
  kickstart batch -j 4 -l out.yml tasks.txt
                                          4 at a time, records to out.yml
  kickstart batch -f - < tasks.txt        stop at the first failure

  tasks.txt:
    -n split -k 60 -- ./split in.dat
    -n count --retries 3 --checkpoint state.json --staging file:///scratch/ck --job-id c1 python3 count.py
    sh -c 'echo "a b" > out.txt'

After each task its record (or records, with --retries) and a line
[cluster-task id=.., status=.., line=..] are written; at the end one line
[cluster-summary stat="ok"|"fail", tasks=.., succeeded=.., failed=..], as
pegasus-cluster writes them, so Pegasus's tools read the batch as a
clustered job.

Exit codes: 0 every task succeeded (or -e); 5 a task failed or a line could
not run (pegasus-cluster's code); 127 a usage error of the batch itself.`;

function batchProgram(): Command {
  const c = new Command('batch')
    .usage('[options] FILE|-')
    .description('Run many tasks, each under supervision with its own record, and a pegasus-cluster summary at the end.')
    .argument('<file>', "the task list, one kickstart command line per line; '-' reads stdin")
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXAMPLES);
  return addFlags(c, 'batch');
}

const STOPPING = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** `kickstart batch`: the tasks of a file (or stdin), then a summary. */
export async function batchMain(argv: string[]): Promise<number> {
  const program = batchProgram();
  program.exitOverride();
  quietOutput(program);
  program.parse(argv, { from: 'user' });
  const o = program.opts();
  if (o.failHard && o.ignoreFailures) throw new UsageError('-f stops at the first failure and -e ignores failures: use one');
  const file: string = program.args[0]!;
  // Each running task holds a thread-pool thread in a blocking read of its
  // exec helper's pipe, and the reaper one more: with libuv's default of 4,
  // -j 4 would leave file I/O waiting behind the tasks. Only effective before
  // the pool's first use, which is still to come here.
  process.env.UV_THREADPOOL_SIZE ??= String(Math.min(1024, 2 * o.jobs + 4));
  const logger = createLogger(o.logLevel as LevelName);
  const out: string | null = o.recordFile ?? null;
  const where = out ?? 'stdout';
  let writeFailed = false;
  const write = (text: string): void => {
    const w = appendRecord(out, text);
    if (!w.ok) {
      writeFailed = true;
      logger.error({ error: w.code }, `cannot write to ${where}`);
    }
  };

  const input = file === '-' ? process.stdin : createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    if (file === '-') return resolve();
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (e) {
    throw new UsageError(`cannot read the task list ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}: give a readable file, or - for stdin`);
  }

  // Records of a task are held until it ends and written with its task line
  // in one append, so tasks running at once never interleave their records.
  const pending = new Map<number, string[]>();
  let stopping = false;
  const stop = (): void => void (stopping = true);
  for (const s of STOPPING) process.on(s, stop);
  try {
    const result = await runBatch(tasks(input, logger, pending), {
      jobs: o.jobs,
      failHard: o.failHard ?? false,
      successCodes: new Set(o.successCode ?? []),
      subreaper: true,
      stopped: () => stopping,
      logger,
      onTaskEnd: (t: TaskEnd) => {
        if (t.problem) process.stderr.write(`kickstart batch: line ${t.line}: ${t.problem}\n`);
        const records = pending.get(t.line) ?? [];
        pending.delete(t.line);
        write(records.join('') + clusterTaskLine({ ...t, status: exitStatus(t.exitCode) }));
      },
    });
    const failed = result.failed > 0;
    write(clusterSummaryLine({ ...result, ok: !failed, extra: 0, pid: process.pid, app: 'kickstart batch' }));
    if (writeFailed) return EXIT.writeFailed;
    return failed && !o.ignoreFailures ? EXIT.batchFailed : EXIT.completed;
  } finally {
    for (const s of STOPPING) process.off(s, stop);
  }
}

async function* tasks(
  input: NodeJS.ReadableStream,
  logger: Logger,
  pending: Map<number, string[]>,
): AsyncGenerator<BatchLine> {
  let n = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    const l = parseBatchLine(text, n);
    if (l.kind !== 'args') {
      yield l;
      continue;
    }
    const { options, logLevel, logLevelGiven, attemptRecords } = l.args;
    const taskLogger = logLevelGiven ? createLogger(logLevel) : logger;
    options.logger = taskLogger;
    if (typeof options.recordFile === 'string') {
      // The task's own -l: its records go there (and with --attempt-records each
      // attempt alone in FILE.NNN too, as on the command line), its task line to the batch's output.
      const file = options.recordFile;
      options.onRecord = recordSink(options, attemptRecords, taskLogger, (text) => appendRecord(file, text), file).onRecord;
    } else {
      const held: string[] = [];
      pending.set(n, held);
      options.onRecord = recordWriter(options.format, taskLogger, (text) => (held.push(text), { ok: true }), 'the batch output').onRecord;
    }
    yield { line: n, kind: 'task', options, app: l.app };
  }
}
