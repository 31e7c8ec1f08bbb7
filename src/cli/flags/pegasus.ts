import { type Flag } from '../flag.js';
import { collectStat, durationParser, parseSize } from '../values.js';

/** Flag table rows: pegasus-kickstart's letters, each with a long name. */
export const PEGASUS_FLAGS: readonly Flag[] = [
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
];
