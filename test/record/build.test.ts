import { describe, expect, it } from 'vitest';
import { buildRecord, kickstartBlock, type AttemptFacts, type KickstartFacts } from '../../src/record/build.js';
import { toYaml } from '../../src/record/yaml.js';
import type { Rusage } from '../../src/record/types.js';

/** The record from plain facts: no process, no /proc, no clock. */
const usage: Rusage = { utime: 0.5, stime: 0.25, maxrss: 2048, minflt: 1, majflt: 0, nswap: 0, inblock: 0, outblock: 8, msgsnd: 0, msgrcv: 0, nsignals: 0, nvcsw: 3, nivcsw: 1 };
const ks: KickstartFacts = {
  version: '0.1.0',
  outcome: 'checkpointed',
  attempt: 2,
  exitcode: 14,
  termAt: 90_000,
  killAt: 105_000,
  deadlineFired: true,
  firedAt: 90.002,
  signals: [{ signal: 'SIGTERM', processes: 1, at: 90.002, reason: 'checkpoint-time' }],
  lingering: [],
  subreaper: true,
};
const facts: AttemptFacts = {
  startMs: Date.UTC(2026, 10, 25, 4, 55, 40, 247),
  duration: 90.5,
  transformation: 'count',
  wfLabel: 'wf',
  host: { interface: 'eth0', hostaddr: '192.0.2.2', hostname: 'node1', pid: 4562, uid: 0, user: 'root', gid: 0, group: 'root', umask: 0o022, usage },
  jobids: { slurm: '77' },
  cwd: '/scratch/job',
  jobs: [{ name: 'mainjob', record: { start: '2026-11-25T04:55:40.253+00:00', duration: 90.4, usage, status: { raw: 3584, regular_exitcode: 14 }, executable: { file_name: '/usr/bin/python3' }, argument_vector: ['count.py'] } }],
  files: {},
  kickstart: ks,
};

describe('buildRecord: the invocation record from an attempt\'s facts', () => {
  it('is pure: the same facts give the same record, and the facts are not changed', () => {
    const copy = structuredClone(facts);
    expect(buildRecord(facts)).toEqual(buildRecord(facts));
    expect(facts).toEqual(copy);
  });

  it("names the facts with Pegasus's keys", () => {
    const r = buildRecord(facts);
    expect(r).toMatchObject({
      invocation: true,
      version: '3.0',
      start: '2026-11-25T04:55:40.247+00:00',
      duration: 90.5,
      transformation: 'count',
      'wf-label': 'wf',
      interface: 'eth0',
      hostaddr: '192.0.2.2',
      hostname: 'node1',
      pid: 4562,
      umask: 0o022,
      jobids: { slurm: '77' },
      cwd: '/scratch/job',
      usage,
    });
    expect(r.mainjob?.argument_vector).toEqual(['count.py']);
    expect(r.machine).toBeUndefined();
    expect(r.environment).toBeUndefined();
    expect(toYaml(r)).toMatch(/^- invocation: True\n {2}version: 3\.0\n {2}start: 2026-11-25T04:55:40\.247\+00:00\n/);
  });

  it('adds environment and limits only when handed them (-f or a failed attempt)', () => {
    const r = buildRecord({ ...facts, environment: { PATH: '/bin' }, limits: { nofile: 1024 } });
    expect(r.environment).toEqual({ PATH: '/bin' });
    expect(r.limits).toEqual({ nofile: 1024 });
  });
});

describe('kickstartBlock', () => {
  it('gives the deadline in seconds and leaves empty lists out', () => {
    const b = kickstartBlock(ks);
    expect(b.deadline).toEqual({ checkpoint_time: 90, kill_time: 105, fired: true, fired_at: 90.002 });
    expect(b.lingering).toBeUndefined();
    expect(b.live_uploads).toBeUndefined();
    expect(kickstartBlock({ ...ks, termAt: undefined }).deadline).toBeUndefined();
    expect(kickstartBlock({ ...ks, lingering: [{ pid: 9, command: 'sleep 9' }] }).lingering).toEqual([{ pid: 9, command: 'sleep 9' }]);
  });
});
