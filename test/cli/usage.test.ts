import { describe, expect, it } from 'vitest';
import { ks } from '../helpers/run.js';

// pegasus-kickstart's own suite checks each option without its argument.
const NEEDS_VALUE = [
  '-n', '-N', '-R', '-L', '-T', '-i', '-o', '-e', '-B', '-l', '-w', '-W', '-I', '-s', '-S', '-k', '-K',
  '--checkpoint-time', '--max-walltime', '--checkpoint-exit-code', '--checkpoint', '--staging', '--job-id',
  '--keep', '--retries', '--retry-delay', '--format', '--log-level',
];

describe('usage errors', () => {
  it.each(NEEDS_VALUE)('%s without its argument: one line naming the flag, exit 127', async (flag) => {
    const r = await ks([flag]);
    expect(r.exitCode).toBe(127);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kickstart: /);
    expect(lines[0]).toContain(flag);
    expect(r.stdout).toBe('');
  });

  it('an unknown flag is named', async () => {
    const r = await ks(['--frobnicate', 'true']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('no command at all says how to give one', async () => {
    const r = await ks([]);
    expect(r.exitCode).toBe(127);
    expect(r.stderr.trim()).toMatch(/^kickstart: no command to run/);
  });

  it.each([
    [['-B', 'lots', 'true'], /'lots' is not a size/],
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
  ])('%j is refused with a clear line', async (args, message) => {
    const r = await ks(args as string[]);
    expect(r.exitCode).toBe(127);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message as RegExp);
  });

  it('--help shows examples and exits 0', async () => {
    const r = await ks(['--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--checkpoint-time');
  });

  it('-V prints the version', async () => {
    const r = await ks(['-V']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^kickstart \d+\.\d+\.\d+/);
  });

  it('options after the executable belong to the job', async () => {
    const r = await ks(['echo', '-n', '-V', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.record.mainjob.argument_vector).toEqual(['-n', '-V', '--help']);
    expect(r.record.files.stdout.data).toBe('-V --help');
  });
});
