/**
 * A full InvocationRecord from real facts (stat of real files, this machine,
 * this process's limits) plus the awkward values a record must survive.
 */
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { environmentBlock } from '../../src/record/environment.js';
import { limits } from '../../src/record/limits.js';
import { machineInfo } from '../../src/record/machine.js';
import { failureStatus, statusFromWait } from '../../src/record/signals.js';
import { sha256File, statFd, statInfo } from '../../src/record/stat.js';
import { isoMillis } from '../../src/record/time.js';
import type { InvocationRecord, JobRecord, JobStatus, KickstartBlock, Rusage } from '../../src/record/types.js';

export const TRICKY_ARGS = [
  'say "hi" to \'them\'',
  '$$',
  '${UNSET}',
  "'",
  'ünïcødé ✓ 𝄞 日本',
  'key: value # not a comment',
  '',
  '  leading and trailing  ',
  'tab\there',
  'line\nbreak\r\n',
  '\u0085 \u2028 \u2029 \ufeff \x7f \x1b[0m',
  'yes', '~', 'null', '0o755', '1e3', '- dash', '--opt=1', '@at', '%pct', '2026-01-01',
  'x'.repeat(127 * 1024),
];

export const TRICKY_ENV: Record<string, string | undefined> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  QUOTES: 'say "hi" \'there\'',
  COLON: 'a: b # c',
  EMPTY: '',
  UNICODE: 'ünïcødé ✓',
  NEWLINE: 'one\ntwo',
  BOOLISH: 'yes',
  NUMBERISH: '0o0022',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI',
  GITHUB_TOKEN: 'ghp_xxx',
  DATABASE_URL: 'postgres://user:hunter2@db:5432/x',
  UNSET_ONE: undefined,
  _: '/usr/bin/kickstart',
};

/** `data` texts: block literal cases and ones that must fall back to quoting. */
export const DATA: Record<string, string> = {
  stdout: 'hello "world": it\'s #1\n\ttabbed line\nünïcødé ✓\n\n  indented later\n',
  stderr: 'partial line without newline',
  metadata: '',
  invalid_utf8: Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]).toString('utf8'),
  leading_spaces: '   starts indented\nsecond\n',
  crlf: 'windows\r\nline\r\n',
  trailing_blank_lines: 'a\n\n\n',
  only_newline: '\n',
  controls: 'bell\x07 esc\x1b nul\x00\n',
};

const rusage = (n: number): Rusage => ({
  utime: 0.001 * n, stime: 0.002, maxrss: 1532, minflt: 97, majflt: 0, nswap: 0, inblock: 0,
  outblock: 8, msgsnd: 0, msgrcv: 0, nsignals: 0, nvcsw: 1, nivcsw: n,
});

function sideJob(status: JobStatus, argv: string[]): JobRecord {
  return {
    start: isoMillis(Date.now()), duration: 0.003, pid: 4242, usage: rusage(1), status,
    executable: statInfo('/bin/sh'), argument_vector: argv,
  };
}

export type MainKind = 'exit' | 'signal' | 'failure';

export function mainJob(kind: MainKind): JobRecord {
  if (kind === 'failure') {
    return {
      start: isoMillis(0), duration: 0.003, usage: rusage(0), status: failureStatus(2, 'ENOENT'),
      executable: statInfo('/nonexistent/foo'), argument_vector: [],
    };
  }
  const status = kind === 'exit' ? statusFromWait(768) : statusFromWait(11 | 0x80);
  return { ...sideJob(status, TRICKY_ARGS), pid: 4563, usage: rusage(2) };
}

export function kickstartBlock(): KickstartBlock {
  return {
    version: '0.1.0',
    outcome: 'deadline: checkpointed',
    attempt: 2,
    exitcode: 14,
    deadline: { checkpoint_time: 1, kill_time: 4, fired: true, fired_at: 1.002 },
    signals: [
      { signal: 'SIGTERM', processes: 3, at: 1.002, reason: 'checkpoint-time' },
      { signal: 'SIGKILL', processes: 0, at: 4.5, reason: 'kill-time' },
    ],
    lingering: [{ pid: 777, command: 'sleep 37 # "grandchild": yes' }],
    stage_out: {
      direction: 'out', result: 'ok', url: 's3://bucket/key: with colon', generation: 3,
      files: [{ path: 'ckpt.txt', size: 6, sha256: 'ab'.repeat(32) }], bytes: 6, duration: 0.25,
      attempts: 1, rolled_back: [], at: 4.75,
    },
    monitor: {
      interval: 0.5, samples: 3, peak_cpu: 150.5, peak_rss: 1e21, peak_procs: 4,
      series: { t: [0.5, 1, 1.5], cpu: [0, 150.5, 99.9], rss: [1024, 1e21, 2e9], procs: [1, 4, 2] },
    },
    subreaper: true,
    empty_map: {},
    nested_lists: [[1, 2], [], ['a']],
    odd_values: { nothing: null, big: 1e21, tiny: 1e-7, neg: -3, stamp: '2026-11-25T04:55:40+00:00', '': 'empty key' },
  };
}

export interface BuildOptions {
  /** stdout redirected to a named file (`-o file`): stat'ed by name, not captured. */
  namedStdout?: boolean;
}

export function buildRecord(kind: MainKind, opts: BuildOptions = {}): InvocationRecord {
  const { dir } = tempDir('record');
  const outFile = join(dir, 'out.dat');
  writeFileSync(outFile, 'data\n');
  const sum = sha256File(outFile)!;
  const files: InvocationRecord['files'] = {
    in: statInfo('args.txt', { lfn: 'in' }),
    out: { ...statInfo(outFile, { lfn: 'out' }), output: true, sha256: sum.sha256, checksum_timing: 0.01 },
    stdin: statInfo('/dev/null'),
  };
  let fdNo = 3;
  for (const [name, data] of Object.entries(DATA)) {
    const path = join(dir, `ks.${name}`);
    writeFileSync(path, data);
    const fd = openSync(path, 'r');
    files[name] = { ...statFd(fd, { temporary_name: path, descriptor: fdNo++ }), data_truncated: false, data };
    closeSync(fd);
  }
  if (opts.namedStdout) files.stdout = statInfo(outFile);
  files.kickstart = statInfo(process.execPath);
  const log = openSync(join(dir, 'record.yml'), 'a');
  files.logfile = statFd(log, { descriptor_number: 1 });
  closeSync(log);

  return {
    invocation: true,
    version: '3.0',
    start: isoMillis(Date.now()),
    duration: 0.046,
    transformation: 'ns::xform:1.0',
    derivation: 'ID0000001',
    resource: 'condorpool',
    'wf-label': 'diamond',
    'wf-stamp': '2024-01-01T00:00:00Z',
    interface: 'eth0',
    hostaddr: '192.0.2.2',
    hostname: 'vm',
    pid: process.pid,
    uid: 0,
    user: 'root',
    gid: 0,
    group: 'root',
    umask: 0o022,
    setup: sideJob(statusFromWait(0), ['setup']),
    prejob: sideJob(statusFromWait(1 << 8), []),
    mainjob: mainJob(kind),
    postjob: sideJob(statusFromWait(9), ['-u']),
    cleanup: sideJob(failureStatus(13, 'EACCES'), ['cleanup']),
    jobids: { condor: '123.0' },
    cwd: dir,
    usage: rusage(3),
    machine: machineInfo(),
    files,
    environment: environmentBlock(TRICKY_ENV),
    limits: limits(),
    kickstart: kickstartBlock(),
  };
}
