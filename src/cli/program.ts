import { Command } from 'commander';
import { VERSION } from '../version.js';
import { addFlags } from './add-flags.js';

const EXAMPLES = `
Examples:
  kickstart echo hello world              run a job, print its record (YAML) on stdout
  kickstart -l job.yml -- ./app --in x    append the record to job.yml instead
  kickstart -k 60 -K 10 ./simulate        SIGTERM after 60 s, SIGKILL 10 s later
  kickstart --checkpoint-time 50m --max-walltime 60m \\
            --checkpoint count.checkpoint --staging file:///scratch/ckpt --job-id count \\
            --retries 5 -- python3 count.py
                                          checkpoint deadlines, shipping and restarts
  kickstart --max-walltime auto --checkpoint count.checkpoint \\
            --staging file:///scratch/ckpt -- python3 count.py
                                          in a batch job: SIGTERM before the batch system's
                                          end, from the measured checkpoint costs
  kickstart show job.yml                  a human summary of a record
  kickstart batch -j 4 tasks.txt          one task per line, each with its own record (kickstart batch --help)
  kickstart transfer --in --checkpoint state/ --staging s3://bucket/ckpt --job-id run1
  kickstart --checkpoint state/ --staging sftp://me@dtn.example.org/scratch/ckpt \\
            --ssh-key ~/.ssh/id_ckpt --job-id run1 -- ./sim
                                          stage over SSH (keys only; host from known_hosts)

Exit codes: the job's own code; 128+N when it was killed by signal N; 14 (or
--checkpoint-exit-code) when a deadline fired and the checkpoint was shipped;
20 stage-in failed; 21 stage-out failed; 24 --total-walltime spent; 126 not
executable; 127 not found or a usage error. See the README for the full table.

Environment: KICKSTART_SETUP, KICKSTART_PREJOB, KICKSTART_POSTJOB,
KICKSTART_CLEANUP (side jobs), KICKSTART_PREPEND_PATH, KICKSTART_WRAPPER,
KICKSTART_CHECKPOINT_TIME, KICKSTART_MAX_WALLTIME.`;

/** The main command; its flags are the 'run' rows of the flag table (flags.ts). */
export function mainProgram(): Command {
  const p = new Command('kickstart');
  p.usage('[options] [--] executable [args...]')
    .description('Run a job under supervision and write its invocation record (pegasus-kickstart compatible).')
    .argument('[command...]', 'the executable and its arguments, passed through untouched')
    .passThroughOptions()
    .helpOption('-h, --help', 'show this help')
    .version(`kickstart ${VERSION}`, '-V, --version', 'print the version')
    .addHelpText('after', EXAMPLES);
  return addFlags(p, 'run');
}
