import { type Flag } from '../flag.js';
import { collectExitCode, durationParser, parseCount, parseInterval, parseJobs } from '../values.js';

/** Flag table rows: restarts, monitoring, output, batch and the subcommands. */
export const MORE_FLAGS: readonly Flag[] = [
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
