import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFlags, readFlags } from '../../src/cli/add-flags.js';
import { parseRunArgs } from '../../src/cli/run-options.js';
import { parseTransferFlags } from '../../src/cli/commands/transfer.js';
import { FLAGS, attributeName, flagsOf, type CommandName } from '../../src/cli/flags.js';
import { flagsTable } from '../../src/cli/flags-docs.js';
import { usageLine } from '../../src/cli/main.js';
import { makePlan } from '../../src/supervise/plan.js';
import { transferStep } from '../../src/supervise/transfer-step.js';
import { silentLogger } from '../../src/log.js';

/** argv → options, in this process: the flag table's rows end up in the right keys. Spawns nothing. */

describe('the flag table', () => {
  it('is the README flags table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- flags[^>]*-->\n([\s\S]*?)\n<!-- \/flags -->/.exec(readme)?.[1];
    expect(block, 'README.md has a <!-- flags --> block').toBeDefined();
    expect(block).toBe(flagsTable());
  });

  it('has one row per long name and per short letter in each command', () => {
    for (const command of ['run', 'batch', 'transfer', 'checkpoints', 'show'] as CommandName[]) {
      const names = flagsOf(command).flatMap((f) => f.spec.match(/-{1,2}[a-zA-Z0-9-]+/g) ?? []);
      expect(names.filter((n, i) => names.indexOf(n) !== i), command).toEqual([]);
    }
    expect(FLAGS.every((f) => f.commands.length > 0 && f.help.length > 0)).toBe(true);
  });

  it('generates the options of every command', () => {
    for (const command of ['run', 'batch', 'transfer', 'checkpoints', 'show'] as CommandName[]) {
      const c = addFlags(new Command(command), command);
      expect(c.options.map((o) => o.attributeName())).toEqual(flagsOf(command).map(attributeName));
    }
  });
});

const run = (...argv: string[]) => parseRunArgs([...argv, 'true']).options;

describe('kickstart argv → SuperviseOptions', () => {
  it('-I FILE ends the command line (pegasus-kickstart: "No arguments allowed after -I fn")', () => {
    expect(parseRunArgs(['-q', '-I', 'args.txt']).options).toMatchObject({ argFile: 'args.txt', quiet: true, argv: [] });
    expect(parseRunArgs(['-Iargs.txt']).options.argFile).toBe('args.txt');
    for (const argv of [['-I', 'args.txt', 'true'], ['-I', 'args.txt', '-B', '2'], ['--arg-file=args.txt', '--', 'x']]) {
      expect(() => parseRunArgs(argv), argv.join(' ')).toThrow(/^No arguments allowed after -I fn: '.+' follows -I args\.txt/);
    }
  });
  it('-t, -z and -Z all trace; -F and -c are accepted and set nothing', () => {
    for (const f of ['-t', '-z', '-Z']) expect(run(f).trace, f).toBe(true);
    const o = run('-F', '-c') as unknown as Record<string, unknown>;
    expect([o.F, o.c]).toEqual([undefined, undefined]);
  });

  it.each<[string[], Record<string, unknown>]>([
    [['-n', 'tr', '-N', 'dv', '-R', 'site', '-L', 'lab', '-T', 'stamp'], { transformation: 'tr', derivation: 'dv', resource: 'site', wfLabel: 'lab', wfStamp: 'stamp' }],
    [['-H', '-f', '-q', '-X'], { noMachine: true, full: true, quiet: true, makeExecutable: true }],
    [['-i', '-', '-o', '!out', '-e', '^err'], { stdin: '-', stdout: '!out', stderr: '^err' }],
    [['-B', '64k'], { tailBytes: 65536 }],
    [['-B', 'all'], { tailBytes: 'all' }],
    [['-l', 'rec.yml', '--format', 'json'], { recordFile: 'rec.yml', format: 'json' }],
    [['-w', '/tmp'], { workdir: '/tmp' }],
    [['-W', '/tmp/new'], { workdir: '/tmp/new', createWorkdir: true }],
    [['-s', 'out=o.dat', '-s', 'x', '-S', 'in.dat'], { statAfter: [{ lfn: 'out', path: 'o.dat' }, { path: 'x' }], statBefore: [{ path: 'in.dat' }] }],
    [['-k', '60', '-K', '10'], { termAfter: 60_000, killAfter: 10_000 }],
    [['--checkpoint-time', '50', '--max-walltime', '1h'], { checkpointTime: 3_000_000, maxWalltime: 3_600_000 }],
    [['--checkpoint-exit-code', '85'], { checkpointExitCode: 85 }],
    [['--checkpoint', 'a', '--checkpoint', 'b/', '--staging', 's3://bkt/p', '--job-id', 'j1', '--keep', '3'], { checkpoints: ['a', 'b/'], staging: 's3://bkt/p', jobId: 'j1', keep: 3 }],
    [['--transfer-retries', '0', '--transfer-backoff', '250ms', '--allow-outside'], { transferRetries: 0, transferBackoff: 250, allowOutside: true }],
    [['--s3-endpoint', 'http://127.0.0.1:9000'], { site: { s3Endpoint: 'http://127.0.0.1:9000' } }],
    [['--checkpoint-interval', '5m', '--checkpoint-signal', 'usr1'], { checkpointInterval: 300_000, checkpointSignal: 'SIGUSR1' }],
    [['--retries', '5', '--retry-delay', '10s', '--attempt', '2'], { retries: 5, retryDelay: 10_000, attempt: 2 }],
    [['--monitor-interval', 'off', '--metrics', 'm.jsonl', '--linger-grace', '3'], { monitorInterval: 0, metricsFile: 'm.jsonl', lingerGrace: 3000 }],
  ])('%j', (argv, expected) => {
    expect(run(...argv)).toMatchObject({ argv: ['true'], ...expected });
  });

  it('defaults: only what the table sets (the library applies the rest), and the job argv untouched', () => {
    const r = parseRunArgs(['--', 'echo', '-n', '--help']);
    expect(r).toEqual({ logLevel: 'info', logLevelGiven: false, attemptRecords: false, options: { argv: ['echo', '-n', '--help'], noMachine: false, format: 'yaml', subreaper: true, forwardSignals: true } });
  });

  it('env rows: KICKSTART_CHECKPOINT_TIME and KICKSTART_MAX_WALLTIME', () => {
    process.env.KICKSTART_CHECKPOINT_TIME = '2';
    process.env.KICKSTART_MAX_WALLTIME = '90s';
    try {
      expect(run()).toMatchObject({ checkpointTime: 120_000, maxWalltime: 90_000 });
      expect(run('--checkpoint-time', '1')).toMatchObject({ checkpointTime: 60_000 });
    } finally {
      delete process.env.KICKSTART_CHECKPOINT_TIME;
      delete process.env.KICKSTART_MAX_WALLTIME;
    }
  });
});

/** What kickstart would print and exit with for argv, without running anything. */
async function refusal(argv: string[]): Promise<{ code: number; line?: string } | undefined> {
  try {
    const { options } = parseRunArgs(argv);
    const plan = makePlan(options);
    await transferStep(options, plan, silentLogger);
    return undefined;
  } catch (e) {
    return usageLine(e) ?? { code: -1, line: String(e) };
  }
}

// pegasus-kickstart's own suite checks each option without its argument.
const NEEDS_VALUE = FLAGS.filter((f) => f.commands.includes('run') && /<[^>]+>/.test(f.spec)).flatMap((f) => f.spec.match(/-{1,2}[a-zA-Z0-9-]+/g)!);

describe('usage errors: one line naming the problem, exit 127', () => {
  it.each(NEEDS_VALUE)('%s without its argument', async (flag) => {
    const r = await refusal([flag]);
    expect(r?.code).toBe(127);
    expect(r?.line).toMatch(/^kickstart: [^\n]+$/);
    expect(r?.line).toContain(flag);
  });

  it.each<[string[], RegExp]>([
    [['--frobnicate', 'true'], /unknown option '--frobnicate'/],
    [[], /^kickstart: no command to run/],
    [['-B', 'lots', 'true'], /Invalid -B argument 'lots'/],
    [['-B', '-5', 'true'], /-B/],
    [['--checkpoint-time', 'soon', '--max-walltime', '2m', 'true'], /'soon' is not a duration/],
    [['--checkpoint-time', '2m', '--max-walltime', '1m', 'true'], /--max-walltime \(1m\) must be greater than --checkpoint-time \(2m\)/],
    [['--checkpoint-time', '2m', '--max-walltime', '2m', 'true'], /must be greater than/],
    [['--checkpoint-time', '2m', 'true'], /--checkpoint-time needs --max-walltime/],
    [['-K', '3', 'true'], /-K needs -k/],
    [['-k', '1', '--max-walltime', '5m', 'true'], /cannot be combined/],
    [['--checkpoint-exit-code', '300', 'true'], /not an exit code/],
    [['--format', 'xml', 'true'], /--format/],
    [['-w', '/tmp', '-W', '/tmp/x', 'true'], /-w and -W/],
    [['--checkpoint', 'x', 'true'], /--checkpoint needs --staging/],
    [['--checkpoint', 'x', '--staging', 'ftp://h/x', '--job-id', 'j', 'true'], /--staging 'ftp:\/\/h\/x': unsupported scheme 'ftp:'; use file:\/\/\/abs\/dir, s3:\/\/bucket\/prefix, sftp:\/\/.* or dav:\/\/host\[:port\]\/path$/],
    [['--checkpoint-signal', 'KILL', 'true'], /cannot be caught/],
    [['--monitor-interval', '1ms', 'true'], /too short/],
  ])('%j', async (argv, message) => {
    const r = await refusal(argv);
    expect(r?.code).toBe(127);
    expect(r?.line).toMatch(/^kickstart: [^\n]+$/);
    expect(r?.line).toMatch(message);
  });
});

function transfer(...argv: string[]) {
  const c = addFlags(new Command('transfer').exitOverride(), 'transfer');
  c.parse(argv, { from: 'user' });
  return parseTransferFlags(readFlags('transfer', c.opts()));
}

describe('kickstart transfer argv → TransferOptions', () => {
  it('maps every flag and resolves the staging URL once', () => {
    const o = transfer('--out', '--checkpoint', 'a', '--staging', 's3://bkt/pre/', '--job-id', 'j', '-w', '/tmp', '--attempt', '2', '--keep', '4',
      '--transfer-retries', '1', '--transfer-backoff', '2s', '--s3-endpoint', 'http://h:1', '--allow-outside', '--no-progress');
    expect(o).toMatchObject({ checkpoints: ['a'], cwd: '/tmp', jobId: 'j', attempt: 2, keep: 4, retries: 1, backoffMs: 2000, site: { s3Endpoint: 'http://h:1' }, allowOutside: true, progress: false });
    expect(typeof o.staging === 'object' && o.staging.url).toBe('s3://bkt/pre');
  });

  it.each<[string[], RegExp]>([
    [['--checkpoint', 'a', '--staging', 'file:///x', '--job-id', 'j'], /say --in .* or --out/],
    [['--in', '--job-id', 'j'], /--staging is required: file:\/\/\/abs\/dir, s3:\/\/bucket\/prefix, sftp:\/\/\[user@\]host\[:port\]\/abs\/path, davs:\/\/host\[:port\]\/path or dav:\/\/host\[:port\]\/path/],
    [['--in', '--staging', 'file:///x'], /--job-id is required/],
    [['--out', '--staging', 'file:///x', '--job-id', 'j'], /--checkpoint is required with --out/],
    [['--in', '--staging', 'file:///x', '--job-id', '.bad'], /--job-id '.bad'/],
    [['--in', '--staging', 'file:///x', '--job-id', 'j', '--keep', '0'], /--keep 0: keep at least 1 generation/],
    [['--in', '--staging', 'file:///x', '--job-id', 'j', '--attempt', '0'], /--attempt 0: attempts count from 1/],
    [['--out', '--checkpoint', '../up', '--staging', 'file:///x', '--job-id', 'j', '-w', '/tmp'], /outside/],
  ])('%j is refused', (argv, message) => {
    expect(() => transfer(...argv)).toThrow(message);
  });
});
