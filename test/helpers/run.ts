import { execa, type Result } from 'execa';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'kickstart.cjs');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/**
 * The interpreter behind `python3`, asked once. A version manager's shim
 * (pyenv's is a shell script) can take seconds to start on a loaded machine,
 * longer than the deadlines tests give the app, and it would count as one
 * more process of the job's tree.
 */
export const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || 'python3';

export interface KsRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The records printed on stdout (or read from -l), parsed. */
  records: any[];
  record: any;
  result: Result;
}

/** Runs the built kickstart CLI as users do, and parses the record it wrote. */
export async function ks(
  args: string[],
  opts: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    recordFile?: string;
    timeout?: number;
    extendEnv?: boolean;
    /** What runs kickstart (default: this node with the npm bin); test/binary runs the binary too. */
    command?: string[];
  } = {},
): Promise<KsRun> {
  const [cmd, ...pre] = opts.command ?? [process.execPath, BIN];
  const result = await execa(cmd, [...pre, ...args], {
    cwd: opts.cwd,
    env: { KICKSTART_LOG_LEVEL: undefined, ...opts.env },
    extendEnv: opts.extendEnv ?? true,
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeout ?? 60_000,
    stripFinalNewline: false,
  });
  const text = opts.recordFile ? safeRead(opts.recordFile) : String(result.stdout);
  let records: any[] = [];
  try {
    records = (parse(text) as any[]) ?? [];
  } catch {
    records = [];
  }
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    records,
    record: records[records.length - 1],
    result,
  };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
