/**
 * kickstart's exit codes: the one table that the CLI, the supervisor, the
 * transfer step, `show`, `batch` and the binary use, and that the README's
 * exit-code table is generated from (test/exit-codes.test.ts).
 */
export const EXIT = {
  /** The job succeeded (and its checkpoint was shipped); a subcommand did its job. */
  completed: 0,
  /** `checkpoints ls` could not read the site; the record (or a batch's output) could not be written. */
  listFailed: 1,
  writeFailed: 1,
  /** `show`: the file is missing or not a record. */
  badRecord: 2,
  /** `show --html`: the page could not be written. */
  pageFailed: 3,
  /** `batch`: a task failed or a line could not run (pegasus-cluster's code). */
  batchFailed: 5,
  checkpointed: 14,
  stageInFailed: 20,
  stageOutFailed: 21,
  /** --total-walltime is used up: job scripts do not requeue on it. */
  budgetSpent: 24,
  internal: 70,
  notExecutable: 126,
  notFound: 127,
  usage: 127,
} as const;

export interface ExitRow {
  code: string;
  command: string;
  outcome: string;
  meaning: string;
}

/** The README's rows, in order. */
export const EXIT_ROWS: readonly ExitRow[] = [
  { code: `${EXIT.completed}`, command: 'all', outcome: '`completed`', meaning: 'the job (prejob, main job, postjob) succeeded and its checkpoint, if any, was shipped; a subcommand did its job' },
  { code: '1–125', command: 'run', outcome: '`failed`', meaning: "the job's own exit code (a failed prejob's or postjob's code when that decided)" },
  { code: `${EXIT.writeFailed}`, command: 'run, batch, checkpoints', outcome: '', meaning: 'the record could not be written though the job succeeded; `checkpoints ls` could not read the staging site' },
  { code: `${EXIT.badRecord}`, command: 'show', outcome: '', meaning: 'the file is missing or holds no record' },
  { code: `${EXIT.pageFailed}`, command: 'show', outcome: '', meaning: 'the HTML page could not be written' },
  { code: `${EXIT.batchFailed}`, command: 'batch', outcome: '', meaning: "a task failed or a line could not run (pegasus-cluster's code; `-e` makes it 0)" },
  {
    code: `${EXIT.checkpointed}`,
    command: 'run',
    outcome: '`checkpointed`',
    meaning: "a deadline fired (checkpoint time, `-k`) and the checkpoint was shipped; run again to resume. `--checkpoint-exit-code N` replaces 14 (85 for HTCondor's `checkpoint_exit_code`)",
  },
  { code: `${EXIT.stageInFailed}`, command: 'run, transfer', outcome: '`stage-in-failed`', meaning: 'the staging site could not give back a checkpoint that exists (the job did not run)' },
  { code: `${EXIT.stageOutFailed}`, command: 'run, transfer', outcome: '`stage-out-failed`', meaning: 'the job ran, but its checkpoint could not be shipped; the previous generation is intact' },
  {
    code: `${EXIT.budgetSpent}`,
    command: 'run',
    outcome: '`budget-spent`',
    meaning: "`--total-walltime` is used up: the budget's deadline fired and the checkpoint was shipped, or nothing was left at the start (the job did not run). Job scripts do not requeue on it",
  },
  { code: `${EXIT.notExecutable}`, command: 'run', outcome: '`failed`', meaning: 'the executable is not executable' },
  {
    code: `${EXIT.notFound}`,
    command: 'all',
    outcome: '`failed` / `usage-error`',
    meaning: "the executable cannot be found or started (a record is still written, with `failure_error`), or a usage error (a one-line message naming the flag and what it takes; pegasus-kickstart's convention)",
  },
  {
    code: '128+N',
    command: 'run',
    outcome: '`killed` / `failed`',
    meaning: 'the job was killed by signal N (a crash signal such as 11 counts as `failed`), or kickstart itself was stopped by signal N (TERM, INT, HUP), forwarded to the whole job',
  },
  { code: `${EXIT.internal}`, command: 'all', outcome: '', meaning: 'internal error (a bug: please report it with the log)' },
];

export function exitTable(): string {
  return ['| code | command | outcome (`kickstart.outcome`) | meaning |', '|---|---|---|---|', ...EXIT_ROWS.map((r) => `| ${r.code} | ${r.command} | ${r.outcome} | ${r.meaning} |`)].join('\n');
}
