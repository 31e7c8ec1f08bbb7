import { Command, Option } from 'commander';
import { registry } from '../staging/registry.js';
import { VERSION } from '../version.js';
import { collect, collectStat, durationParser, parseCount, parseExitCode, parseInterval, parseSignal, parseSize } from './values.js';

const EXAMPLES = `
Examples:
  kickstart echo hello world              run a job, print its record (YAML) on stdout
  kickstart -l job.yml -- ./app --in x    append the record to job.yml instead
  kickstart -k 60 -K 10 ./simulate        SIGTERM after 60 s, SIGKILL 10 s later
  kickstart --checkpoint-time 50m --max-walltime 60m \\
            --checkpoint count.checkpoint --staging file:///scratch/ckpt --job-id count \\
            --retries 5 -- python3 count.py
                                          checkpoint deadlines, shipping and restarts
  kickstart show job.yml                  a human summary of a record
  kickstart batch -j 4 tasks.txt          one task per line, each with its own record (kickstart batch --help)
  kickstart transfer --in --checkpoint state/ --staging s3://bucket/ckpt --job-id run1

Exit codes: the job's own code; 128+N when it was killed by signal N; 14 (or
--checkpoint-exit-code) when a deadline fired and the checkpoint was shipped;
20 stage-in failed; 21 stage-out failed; 126 not executable; 127 not found or
a usage error. See the README for the full table.

Environment: KICKSTART_SETUP, KICKSTART_PREJOB, KICKSTART_POSTJOB,
KICKSTART_CLEANUP (side jobs), KICKSTART_PREPEND_PATH, KICKSTART_WRAPPER,
KICKSTART_CHECKPOINT_TIME, KICKSTART_MAX_WALLTIME.`;

/** The main command's flags: pegasus-kickstart's letters, each with a long name that reads well. */
export function mainProgram(): Command {
  const p = new Command('kickstart');
  p.usage('[options] [--] executable [args...]')
    .description('Run a job under supervision and write its invocation record (pegasus-kickstart compatible).')
    .argument('[command...]', 'the executable and its arguments, passed through untouched')
    .passThroughOptions()
    .helpOption('-h, --help', 'show this help')
    .version(`kickstart ${VERSION}`, '-V, --version', 'print the version')
    .option('-n, --transformation <name>', 'logical transformation name for the record')
    .option('-N, --derivation <name>', 'derivation (job) name for the record; also the default --job-id')
    .option('-R, --resource <site>', 'site handle for the record')
    .option('-L, --wf-label <label>', 'workflow label for the record')
    .option('-T, --wf-stamp <stamp>', 'workflow time stamp for the record')
    .option('-H, --no-machine', 'leave the machine block out of the record')
    .option('-f, --full', 'always include environment and limits (done anyway when a job fails)')
    .option('-q, --quiet', 'drop stdout/stderr data from the record when the job succeeds')
    .option('-i, --stdin <file>', "job's stdin: '-' inherit, file (default /dev/null)")
    .option('-o, --stdout <file>', "job's stdout: '-' inherit, file, !file append, ^file rotate (default: captured)")
    .option('-e, --stderr <file>', "job's stderr: like --stdout")
    .option('-B, --tail <size>', "bytes of stdout/stderr to keep in the record, from the end, or 'all'", parseSize)
    .option('-l, --record-file <file>', "append the record to this file, fsync'd (default: stdout)")
    .option('-w, --workdir <dir>', 'run the job in this directory')
    .option('-W, --create-workdir <dir>', 'create this directory, then run the job in it')
    .option('-I, --arg-file <file>', 'read more arguments from a file, one per line')
    .option('-s, --stat-after <[lfn=]file>', 'stat (and sha256) a file after the job into files: (repeatable)', collectStat)
    .option('-S, --stat-before <[lfn=]file>', 'stat a file before the job into files: (repeatable)', collectStat)
    .option('-X, --make-executable', 'make the executable runnable (chmod +x) first')
    .option('-k, --term-after <seconds>', 'send SIGTERM this long after start (pegasus-kickstart)', durationParser('s'))
    .option('-K, --kill-after <seconds>', 'send SIGKILL this long after that SIGTERM, default 5 s', durationParser('s'))
    .addOption(
      new Option('--checkpoint-time <dur>', 'SIGTERM at this time so the app writes its checkpoint (90s, 2m, 1.5h; bare number: minutes)')
        .env('KICKSTART_CHECKPOINT_TIME')
        .argParser(durationParser('m')),
    )
    .addOption(
      new Option('--max-walltime <dur>', 'SIGKILL halfway between the checkpoint time and this')
        .env('KICKSTART_MAX_WALLTIME')
        .argParser(durationParser('m')),
    )
    .option('--checkpoint-exit-code <code>', 'exit code when a deadline fired and the checkpoint was shipped (default 14; 85 for HTCondor)', parseExitCode)
    .option('--checkpoint <path>', 'file, directory or glob to ship as the checkpoint (repeatable)', collect)
    .option('--staging <url>', `where checkpoints go: ${registry.hint}`)
    .option('--job-id <id>', 'names the job at the staging site (default: -N, else the batch job id)')
    .option('--keep <n>', 'checkpoint generations to keep (default 2)', parseCount)
    .option('--transfer-retries <n>', 'retries of each transfer (default 3)', parseCount)
    .option('--transfer-backoff <dur>', 'first retry delay, doubled each time (default 1s)', durationParser('s'))
    .option('--allow-outside', 'allow --checkpoint paths outside the working directory');
  addSiteOptions(p);
  p.option('--checkpoint-interval <dur>', 'while the job runs, ship each new complete checkpoint, at most once per DUR (e.g. 500ms, 5m)', durationParser('s'))
    .option('--checkpoint-signal <sig>', 'with --checkpoint-interval: send SIG (e.g. USR1) to the job each interval to ask for a checkpoint', parseSignal)
    .option('--retries <n>', 'run again from the shipped checkpoint until success, at most N more times', parseCount)
    .option('--retry-delay <dur>', 'wait between attempts (e.g. 10s); doubled after each failure without progress, from 1 s if unset, up to 5 min', durationParser('s'))
    .option('--attempt <n>', 'number of this attempt (e.g. $((SLURM_RESTART_COUNT+1)))', parseCount)
    .option('--monitor-interval <dur>', "sample the job's CPU, memory and process count this often (default 1s; 0 or off: never)", parseInterval)
    .option('--metrics <file>', 'write every resource sample to this file as JSON lines')
    .option('--linger-grace <dur>', 'grace before SIGKILL for processes a job leaves behind (default 2s)', durationParser('s'))
    .addOption(new Option('--format <format>', 'record format').choices(['yaml', 'json']).default('yaml'))
    .addOption(new Option('--log-level <level>', 'log level on stderr').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .addHelpText('after', EXAMPLES);
  return p;
}

/** One flag per staging kind's site option (--s3-endpoint...), from the registry. */
export function addSiteOptions(c: Command): Command {
  for (const o of registry.options) c.option(`--${o.flag} <${o.value}>`, o.help);
  return c;
}
