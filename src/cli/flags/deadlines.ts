import { type Flag } from '../flag.js';
import { durationOrAuto, durationParser, parseExitCode } from '../values.js';

/** Flag table rows: checkpoint deadlines. */
export const DEADLINE_FLAGS: readonly Flag[] = [
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
];
