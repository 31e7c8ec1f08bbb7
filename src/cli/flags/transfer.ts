import { registry } from '../../staging/registry.js';
import { TRANSFER, SITE, type Flag } from '../flag.js';
import { collect, durationOrAuto, durationParser, parseCount, parsePercent, parseSignal } from '../values.js';

/** Flag table rows: the transfer step and the staging site. */
export const TRANSFER_FLAGS: readonly Flag[] = [
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
  {
    spec: '--attempt <n>',
    help: 'number of this attempt (run: by default the highest of SLURM_RESTART_COUNT+1 and one more than the highest attempt earlier ones left, else 1; transfer: 1)',
    doc: 'number of this attempt. `run` numbers it by itself: the highest of `SLURM_RESTART_COUNT`+1 after a Slurm requeue and one more than the highest attempt earlier attempts of the job left (start markers of attempts that never finished, the newest manifest at the staging site), else 1; the record says which in `attempt_from` (see [attempt numbers](#attempt-numbers)). `transfer`: 1',
    parse: parseCount,
    commands: TRANSFER,
  },
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
];
