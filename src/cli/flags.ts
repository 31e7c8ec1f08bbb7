import { registry } from '../staging/registry.js';
import { collect, collectExitCode, collectStat, durationOrAuto, durationParser, parseCount, parsePercent, parseExitCode, parseInterval, parseJobs, parseSignal, parseSize } from './values.js';

export type CommandName = 'run' | 'batch' | 'transfer' | 'checkpoints' | 'show';

/**
 * One flag of kickstart: everything about it in one row. The commander
 * options of every command (options.ts), the README's flags table and the
 * argv → options test all come from FLAGS.
 */
export interface Flag {
  /** Commander's spec: '-n, --transformation <name>', '--no-progress'. */
  spec: string;
  /** --help text. */
  help: string;
  /** README text, when it says more than --help. */
  doc?: string;
  /** Environment variable that gives the value when the flag is not on the command line. */
  env?: string;
  /** Turns the text into the value (repeatable flags get the previous value); throws InvalidArgumentError. */
  parse?: (text: string, previous: never) => unknown;
  /** Applied by commander (and shown by --help); other defaults are the library's own. */
  default?: unknown;
  /** The default as the README states it, when it is the library's. */
  shownDefault?: string;
  choices?: readonly string[];
  /** Another flag's long name this one cannot be combined with. */
  conflicts?: string;
  commands: readonly CommandName[];
  /** Key of the command's options object, when it is not commander's camelCase name. */
  to?: string;
  /** Maps commander's value into that key (e.g. --no-machine's false into noMachine: true). */
  into?: (value: never) => unknown;
}

const TRANSFER: readonly CommandName[] = ['run', 'transfer'];
const SITE: readonly CommandName[] = ['run', 'transfer', 'checkpoints'];

export const FLAGS: readonly Flag[] = [
  // pegasus-kickstart's letters keep their meaning; each also has a long name.
  { spec: '-n, --transformation <name>', help: 'logical transformation name for the record', commands: ['run'] },
  { spec: '-N, --derivation <name>', help: 'derivation (job) name for the record; also the default --job-id', commands: ['run'] },
  { spec: '-R, --resource <site>', help: 'site handle for the record', commands: ['run'] },
  { spec: '-L, --wf-label <label>', help: 'workflow label for the record', commands: ['run'] },
  { spec: '-T, --wf-stamp <stamp>', help: 'workflow time stamp for the record', commands: ['run'] },
  { spec: '-H, --no-machine', help: 'leave the machine block out of the record', commands: ['run'], to: 'noMachine', into: (v: boolean) => v === false },
  { spec: '-f, --full', help: 'always include environment and limits (done anyway when a job fails)', commands: ['run'] },
  { spec: '-q, --quiet', help: 'drop stdout/stderr data from the record when the job succeeds', commands: ['run'] },
  { spec: '-i, --stdin <file>', help: "job's stdin: '-' inherit, file (default /dev/null)", commands: ['run'] },
  {
    spec: '-o, --stdout <file>',
    help: "job's stdout: '-' inherit, file, !file append, ^file rotate (default: captured)",
    doc: '`-` inherit, `file` truncate, `!file` append, `^file` rotate an existing file to `file.000`…`file.999` first. Default: a temp file whose tail goes into the record, removed afterwards (also when the job is killed)',
    commands: ['run'],
  },
  { spec: '-e, --stderr <file>', help: "job's stderr: like --stdout", commands: ['run'] },
  {
    spec: '-B, --tail <size>',
    help: "bytes of stdout/stderr to keep in the record, from the end, or 'all'",
    doc: 'keep the LAST SIZE bytes of stdout and stderr in the record (`64k`, `1M`, `all`), with `data_truncated`',
    parse: parseSize,
    shownDefault: '256k',
    commands: ['run'],
    to: 'tailBytes',
  },
  { spec: '-l, --record-file <file>', help: "append the record to this file, fsync'd (default: stdout)", commands: ['run', 'batch'] },
  {
    spec: '--attempt-records',
    help: "with -l FILE: also write each attempt's record alone to FILE.000, FILE.001, ... (as DAGMan keeps job.out.000), one record a file for Pegasus's parser",
    doc: "with `-l FILE`: also write each attempt's record alone to `FILE.000`, `FILE.001`, … (attempt 1, 2, …; atomically), as DAGMan keeps `job.out.000`: Pegasus's record parser reads one record a file (see [restarts](#restarts))",
    commands: ['run'],
  },
  { spec: '-w, --workdir <dir>', help: "the job's working directory (run: chdir there first)", commands: ['run', 'transfer'] },
  { spec: '-W, --create-workdir <dir>', help: 'create this directory, then run the job in it', commands: ['run'] },
  {
    spec: '-I, --arg-file <file>',
    help: 'read more arguments from a file, one per line; nothing may follow -I FILE',
    doc: 'more arguments from a file, one a line; nothing may follow `-I FILE` (exit 127, "No arguments allowed after -I fn")',
    commands: ['run'],
  },
  {
    spec: '-s, --stat-after <[lfn=]file>',
    help: 'stat (and sha256) a file after the job into files: (repeatable); @list: every [lfn=]file line of list',
    doc: 'stat (and sha256) a file after the job into `files:` (repeatable); `@LIST` stats every `[lfn=]file` line of LIST (`#` comments)',
    parse: collectStat,
    commands: ['run'],
  },
  { spec: '-S, --stat-before <[lfn=]file>', help: 'stat a file before the job into files: (repeatable); @list as for -s', parse: collectStat, commands: ['run'] },
  { spec: '-X, --make-executable', help: 'make the executable runnable (chmod +x) first', commands: ['run'] },
  {
    spec: '-t, --trace',
    help: "record each process of the main job's tree in its procs: (pid, ppid, exe, argv, times, memory, I/O), from /proc",
    doc: "list each process of the main job's tree in its `procs:`, sampled from /proc (see [differences](#differences-from-pegasus-kickstart))",
    commands: ['run'],
  },
  { spec: '-z', help: 'like -t (pegasus-kickstart adds system call tracing, which kickstart does not do)', commands: ['run'], to: 'trace' },
  { spec: '-Z', help: 'like -t (pegasus-kickstart adds library interposition, which kickstart does not do)', commands: ['run'], to: 'trace' },
  { spec: '-F', help: "accepted for pegasus-kickstart's sake: does nothing (as there)", commands: ['run'], into: () => undefined },
  { spec: '-c', help: "accepted for pegasus-kickstart's sake: does nothing (CDATA was for XML records)", commands: ['run'], into: () => undefined },
  { spec: '-k, --term-after <seconds>', help: 'send SIGTERM this long after start (pegasus-kickstart)', parse: durationParser('s'), commands: ['run'] },
  {
    spec: '-K, --kill-after <seconds>',
    help: 'send SIGKILL this long after that SIGTERM, default 5 s',
    doc: 'SIGKILL S seconds after that SIGTERM (default 5), repeated while anything lives',
    parse: durationParser('s'),
    commands: ['run'],
  },

  // Checkpoint deadlines.
  {
    spec: '--checkpoint-time <dur>',
    help: "SIGTERM at this time so the app writes its checkpoint (90s, 2m, 1.5h; bare number: minutes); 'auto' (the default with --max-walltime auto): end - write - ship - margin, learned",
    doc: 'SIGTERM at DUR (`90s`, `2m`, `1.5h`, `500ms`; a bare number is minutes). `auto` (the default with `--max-walltime auto`): see [Deadlines from the batch system](#deadlines-from-the-batch-system)',
    env: 'KICKSTART_CHECKPOINT_TIME',
    parse: durationOrAuto('m'),
    commands: ['run'],
  },
  {
    spec: '--max-walltime <dur>',
    help: "SIGKILL halfway between the checkpoint time and this; 'auto': the batch system's end for this job (Slurm, PBS, LSF, Flux, HTCondor)",
    doc: "SIGKILL at checkpoint-time + (max-walltime − checkpoint-time)/2. Alone: SIGTERM at max − 300 s (max − 10 s when that is not positive). `auto`: the batch system's end for this job, SIGTERM and SIGKILL from the measured checkpoint costs",
    env: 'KICKSTART_MAX_WALLTIME',
    parse: durationOrAuto('m'),
    commands: ['run'],
  },
  {
    spec: '--deadline-refresh <dur>',
    help: 'with --max-walltime auto: ask the batch system for the end again this often (and update the history at the staging site)',
    shownDefault: '60s',
    parse: durationParser('s'),
    commands: ['run'],
  },
  { spec: '--require-deadline', help: 'with --max-walltime auto: a usage error (127) when no batch system gives an end time', commands: ['run'] },
  {
    spec: '--checkpoint-cost <dur>',
    help: 'first attempt with automatic deadlines: time to write and ship one checkpoint, split evenly (default: from the time left)',
    parse: durationParser('s'),
    commands: ['run'],
  },
  {
    spec: '--total-walltime <dur>',
    help: 'a budget for the whole computation across requeues, kept at the staging site (bare number: minutes); exit 24 when spent',
    parse: durationParser('m'),
    commands: ['run'],
  },
  {
    spec: '--checkpoint-exit-code <code>',
    help: 'exit code when a deadline fired and the checkpoint was shipped (default 14; 85 for HTCondor)',
    parse: parseExitCode,
    commands: ['run'],
  },

  // The transfer step.
  { spec: '--in', help: 'stage-in: fetch, verify and restore the newest good generation', conflicts: 'out', commands: ['transfer'] },
  { spec: '--out', help: 'stage-out: upload the declared checkpoint files as a new generation', conflicts: 'in', commands: ['transfer'] },
  {
    spec: '--checkpoint <path>',
    help: 'file, directory or glob to ship, relative to the working directory (repeatable)',
    parse: collect,
    commands: TRANSFER,
    to: 'checkpoints',
  },
  {
    spec: '--checkpoint-with <path>',
    help: 'append-only file, directory or glob shipped with each checkpoint, read up to its size then, never waited on (repeatable)',
    doc: 'append-only file, directory or glob (an output the app appends to) shipped with each checkpoint, read after it up to its size then; it never triggers live shipping and is never waited for (repeatable; see [appended output files](#checkpoints-with-appended-output-files---checkpoint-with))',
    parse: collect,
    commands: TRANSFER,
    to: 'companions',
  },
  { spec: '--staging <url>', help: `where checkpoints go: ${registry.hint}`, commands: SITE },
  { spec: '--job-id <id>', help: 'names the job at the staging site (default: -N, else the batch job id)', commands: SITE },
  { spec: '--keep <n>', help: 'checkpoint generations to keep at the staging site', shownDefault: '2', parse: parseCount, commands: TRANSFER },
  { spec: '--transfer-retries <n>', help: 'retries of each transfer', shownDefault: '3', parse: parseCount, commands: TRANSFER },
  {
    spec: '--transfer-backoff <dur>',
    help: 'first retry delay, doubled each time, with jitter, capped at 30 s',
    shownDefault: '1s',
    parse: durationParser('s'),
    commands: TRANSFER,
  },
  ...registry.options.map(
    (o): Flag => ({ spec: `--${o.flag} <${o.value}>`, help: o.help, commands: SITE, to: `site.${o.key}` }),
  ),
  { spec: '--allow-outside', help: 'allow --checkpoint paths outside the working directory', commands: TRANSFER },
  { spec: '--attempt <n>', help: 'number of this attempt (e.g. $((SLURM_RESTART_COUNT+1)))', shownDefault: '1', parse: parseCount, commands: TRANSFER },
  { spec: '--no-progress', help: 'no progress bar, even on a terminal', commands: ['transfer'] },
  {
    spec: '--checkpoint-interval <dur>',
    help: "while the job runs, ship each new complete checkpoint, at most once per DUR (e.g. 500ms, 5m); 'auto': Young's interval from the measured cost",
    parse: durationOrAuto('s'),
    commands: ['run'],
  },
  {
    spec: '--checkpoint-overhead <pct>',
    help: 'with --checkpoint-interval auto: checkpoints take at most this share of the time (e.g. 5%)',
    parse: parsePercent,
    commands: ['run'],
  },
  {
    spec: '--checkpoint-signal <sig>',
    help: 'with --checkpoint-interval: send SIG (e.g. USR1) to the job each interval to ask for a checkpoint',
    parse: parseSignal,
    commands: ['run'],
  },

  // Restarts.
  { spec: '--retries <n>', help: 'run again from the shipped checkpoint until success, at most N more times', parse: parseCount, commands: ['run'] },
  {
    spec: '--retry-delay <dur>',
    help: 'wait between attempts (e.g. 10s); doubled after each failure without progress, from 1 s if unset, up to 5 min',
    parse: durationParser('s'),
    commands: ['run'],
  },
  {
    spec: '--poison-after <n>',
    help: 'with --retries: after N failed attempts in a row from one checkpoint, restore the generation before it (0: never)',
    shownDefault: '2',
    parse: parseCount,
    commands: ['run'],
  },

  // Monitoring and clean-up.
  {
    spec: '--monitor-interval <dur>',
    help: "sample the job's CPU, memory and process count this often (default 1s; 0 or off: never)",
    parse: parseInterval,
    commands: ['run'],
  },
  { spec: '--metrics <file>', help: 'write every resource sample to this file as JSON lines', commands: ['run'], to: 'metricsFile' },
  { spec: '--linger-grace <dur>', help: 'grace before SIGKILL for processes a job leaves behind (default 2s)', parse: durationParser('s'), commands: ['run'] },

  // Output.
  { spec: '--format <format>', help: 'record format', choices: ['yaml', 'json'], default: 'yaml', commands: ['run'] },
  {
    spec: '--log-level <level>',
    help: 'log level on stderr',
    choices: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
    default: 'info',
    commands: ['run', 'batch'],
  },
  // kickstart batch (pegasus-cluster's letters).
  { spec: '-j, --jobs <n>', help: "tasks at once, or 'auto' (one per CPU)", parse: parseJobs, default: 1, commands: ['batch'] },
  {
    spec: '-f, --fail-hard',
    help: 'stop starting tasks after the first failure (running ones finish)',
    doc: 'stop starting tasks after the first failure (pegasus-cluster `-f`); running ones finish',
    commands: ['batch'],
  },
  { spec: '-e, --ignore-failures', help: 'run every task and exit 0 whatever they return (pegasus-cluster -e)', commands: ['batch'] },
  { spec: '-S, --success-code <code>', help: 'an exit code that counts as success besides 0 (repeatable)', parse: collectExitCode, commands: ['batch'] },
  { spec: '--no-verify', help: 'do not fetch the generations to check them', commands: ['checkpoints'] },
  { spec: '--json', help: 'print a JSON array instead of a table', commands: ['checkpoints'] },
  { spec: '--html <file>', help: 'write one self-contained HTML page with CPU and memory charts instead', commands: ['show'] },
  { spec: '--no-color', help: 'no colours, even on a terminal (NO_COLOR does the same)', commands: ['show'] },
];

/** '--no-machine' → 'machine', '--job-id' → 'jobId': the key commander stores the value under. */
export function attributeName(f: Flag): string {
  // A short-only flag (-z, -F) is commander's attribute of its letter.
  const long = /--([a-z0-9-]+)/.exec(f.spec)?.[1] ?? /^-([a-zA-Z])$/.exec(f.spec)?.[1] ?? '';
  return long.replace(/^no-/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function flagsOf(command: CommandName): Flag[] {
  return FLAGS.filter((f) => f.commands.includes(command));
}
