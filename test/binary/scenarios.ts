import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { BIN, ks, type KsRun } from '../helpers/run.js';

/**
 * What a compute node does with kickstart, as one list run against both the
 * npm bin and the single-file binary (binary.test.ts). Each scenario asserts
 * its outcome and returns a summary of plain data: the two runners' summaries
 * must be equal.
 */

export interface Runner {
  name: string;
  /** The command that is kickstart, e.g. [node, bin/kickstart.cjs]. */
  command: string[];
}

export const BINARY = join(BIN, '..', '..', 'dist', `kickstart-${process.platform}-${process.arch}`);

export const RUNNERS: Runner[] = [
  { name: 'npm bin', command: [process.execPath, BIN] },
  { name: 'binary', command: [BINARY] },
];

export interface Node {
  /** A directory made fresh for this runner: HOME, temp dirs and staging live under it. */
  root: string;
  /** Runs kickstart in a new, empty working directory with `env -i PATH=/usr/bin:/bin HOME=<root>/home`. */
  run(args: string[]): Promise<KsRun>;
}

export function node(runner: Runner, root: string): Node {
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  return {
    root,
    run: (args) =>
      ks(args, {
        cwd: mkdtempSync(join(root, 'work-')),
        command: ['/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', `HOME=${home}`, ...runner.command],
      }),
  };
}

export interface Scenario {
  name: string;
  run(n: Node): Promise<unknown>;
}

/** Nothing but kickstart's own lines on stderr: no Node warning (the SEA one) on either. */
function cleanStderr(r: KsRun): void {
  expect(r.stderr).not.toMatch(/Warning|node:|\(Use `node/);
}

function signals(r: KsRun): string[] {
  return (r.record?.kickstart?.signals ?? []).map((s: any) => `${s.signal} ${s.reason}`);
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'echo hello: exit 0, its output in the record',
    async run(n) {
      const r = await n.run(['echo', 'hello']);
      cleanStderr(r);
      expect(r.exitCode).toBe(0);
      expect(r.record.mainjob.status).toEqual({ raw: 0, regular_exitcode: 0 });
      expect(r.record.files.stdout.data).toBe('hello\n');
      expect(r.record.kickstart.outcome).toBe('completed');
      return { exit: r.exitCode, status: r.record.mainjob.status, stdout: r.record.files.stdout.data, argv: r.record.mainjob.argument_vector };
    },
  },
  {
    name: 'a missing executable: 127 and a record with failure_error',
    async run(n) {
      const r = await n.run(['no-such-program-kickstart-test', 'x']);
      expect(r.exitCode).toBe(127);
      expect(r.record.mainjob.status).toEqual({ raw: -127, failure_error: '2   No such file or directory' });
      expect(r.record.kickstart.outcome).toBe('failed');
      return { exit: r.exitCode, status: r.record.mainjob.status, outcome: r.record.kickstart.outcome };
    },
  },
  {
    name: 'a deadline kill of an app that ignores SIGTERM: signalled 9, exit 14',
    async run(n) {
      const r = await n.run(['--checkpoint-time', '1s', '--max-walltime', '3s', 'sh', '-c', 'trap "" TERM; sleep 30']);
      cleanStderr(r);
      expect(r.exitCode).toBe(14);
      expect(r.record.mainjob.status.signalled_signal).toBe(9);
      expect(signals(r).slice(0, 2)).toEqual(['SIGTERM checkpoint-time', 'SIGKILL kill-time']);
      expect(r.record.mainjob.duration).toBeLessThan(3);
      return { exit: r.exitCode, status: r.record.mainjob.status, signals: signals(r).slice(0, 2), outcome: r.record.kickstart.outcome };
    },
  },
  {
    name: 'kickstart show summarises a record file',
    async run(n) {
      const file = join(n.root, 'show.yaml');
      expect((await n.run(['-l', file, 'echo', 'hi'])).exitCode).toBe(0);
      const r = await n.run(['show', file]);
      cleanStderr(r);
      expect(r.exitCode).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe(`${file}: 1 attempt of /usr/bin/echo hi`);
      expect(lines[2]).toMatch(/^attempt 1 {2}completed {2}exit 0 /);
      return { exit: r.exitCode, head: [lines[0].slice(file.length), lines[2].split('  ').slice(0, 3)] };
    },
  },
  {
    name: 'a checkpoint round trip through file:// staging, on two nodes that share only the staging site',
    async run(n) {
      const staging = pathToFileURL(join(n.root, 'staging')).href;
      const ship = ['--checkpoint', 'state.txt', '--staging', staging, '--job-id', 'rt'];
      // Attempt 1 saves its state when the checkpoint time comes.
      const first = await n.run(['--checkpoint-time', '1s', '--max-walltime', '6s', ...ship, 'sh', '-c', 'trap "echo 7 > state.txt; exit 0" TERM; while :; do sleep 0.1; done']);
      cleanStderr(first);
      expect(first.exitCode).toBe(14);
      expect(first.record.kickstart.stage_in.result).toBe('none');
      expect(first.record.kickstart.stage_out).toMatchObject({ result: 'ok', generation: 1 });
      // Attempt 2, in another empty directory, resumes from it.
      const second = await n.run([...ship, 'sh', '-c', 'cat state.txt; echo 8 > state.txt']);
      cleanStderr(second);
      expect(second.exitCode).toBe(0);
      expect(second.record.files.stdout.data).toBe('7\n');
      expect(second.record.kickstart.stage_in).toMatchObject({ result: 'ok', generation: 1 });
      expect(second.record.kickstart.stage_out).toMatchObject({ result: 'ok', generation: 2 });
      // The subcommand sees both generations.
      const ls = await n.run(['checkpoints', 'ls', '--staging', staging, '--job-id', 'rt']);
      expect(ls.exitCode).toBe(0);
      expect(ls.stdout).toMatch(/gen-000002/);
      const files = (r: KsRun, dir: 'stage_in' | 'stage_out') => r.record.kickstart[dir].files;
      return {
        exits: [first.exitCode, second.exitCode, ls.exitCode],
        resumed: second.record.files.stdout.data,
        shipped: [files(first, 'stage_out'), files(second, 'stage_in'), files(second, 'stage_out')],
      };
    },
  },
];
