import { describe, expect, it } from 'vitest';
import { clusterQuote, clusterSummaryLine, clusterTaskLine, exitStatus } from '../../src/record/cluster.js';

/**
 * What Pegasus's readers do with these lines (pegasus-python,
 * Pegasus/tools/kickstart_parser.py and Pegasus/exitcode.py): find the token
 * anywhere in a line, cut at the first "]", then take key="value" pairs and
 * key=value pairs with these two expressions. Carried over as behaviour, so
 * the test fails if a line stops being readable that way.
 */
const QUOTED = /(\S+)\s*=\s*"([^"]+)"/g;
const PLAIN = /(\S+)\s*=\s*([^",]+)/g;
function pegasusRead(text: string, token: string): Record<string, string> | undefined {
  const line = text.split('\n').find((l) => l.includes(token));
  if (!line) return undefined;
  const start = line.indexOf(token);
  const end = line.indexOf(']', start);
  if (end < 0) throw new Error('malformed: no ] on the line');
  const rec = line.slice(start, end + 1);
  const keys: Record<string, string> = {};
  for (const m of rec.matchAll(QUOTED)) keys[m[1]!] = m[2]!;
  for (const m of rec.matchAll(PLAIN)) keys[m[1]!] = m[2]!;
  return keys;
}

/** pegasus-exitcode's check of a cluster-summary (check_cluster_summary). */
function exitcodeVerdict(k: Record<string, string>): 'ok' | string {
  if ('stat' in k && k.stat !== 'ok') return `stat=${k.stat}`;
  if ('failed' in k && Number(k.failed) > 0) return `failed=${k.failed}`;
  if ('tasks' in k && Number(k.tasks) === 0) return 'ok';
  if ('succeeded' in k && Number(k.succeeded) === 0) return `succeeded=0`;
  return 'ok';
}

const summary = {
  ok: true, lines: 12, tasks: 10, succeeded: 10, failed: 0, extra: 0, durationS: 3.14159, startMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678), pid: 4242, app: 'kickstart batch',
};

describe('cluster records', () => {
  it('a summary is one line Pegasus reads key for key', () => {
    const line = clusterSummaryLine(summary);
    expect(line.endsWith(']\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    const k = pegasusRead(line, '[cluster-summary')!;
    expect(k).toMatchObject({ stat: 'ok', lines: '12', tasks: '10', succeeded: '10', failed: '0', extra: '0', duration: '3.142', pid: '4242', app: 'kickstart batch' });
    expect(k.start).toMatch(/^2026-01-0\dT\d\d:04:05\.678[+-]\d\d:\d\d$/);
    expect(exitcodeVerdict(k)).toBe('ok');
  });

  it('a failed batch reads as failed to pegasus-exitcode', () => {
    const k = pegasusRead(clusterSummaryLine({ ...summary, ok: false, succeeded: 9, failed: 1 }), '[cluster-summary')!;
    expect(k.stat).toBe('fail');
    expect(exitcodeVerdict(k)).toBe('stat=fail');
  });

  it('a task line carries id, start, duration, status, line, pid, app', () => {
    const line = clusterTaskLine({ id: 3, startMs: summary.startMs, durationS: 0.0004, status: exitStatus(3), line: 7, pid: 99, app: '/bin/sh' });
    const k = pegasusRead(line, '[cluster-task')!;
    expect(k).toMatchObject({ id: '3', duration: '0.000', status: '768', line: '7', pid: '99', app: '/bin/sh' });
  });

  it('values cannot end the record early or break the line', () => {
    expect(clusterQuote('a"b]c\nd')).toBe('"a?b?c?d"');
    // The parser's quoted pattern needs one character at least.
    expect(clusterQuote('')).toBe('"?"');
    const k = pegasusRead(clusterTaskLine({ id: 1, startMs: 0, durationS: 0, status: 0, line: 1, pid: 0, app: 'x]y' }), '[cluster-task')!;
    expect(k.app).toBe('x?y');
  });

  it('exit codes become wait statuses as a kickstart child would give', () => {
    expect(exitStatus(0)).toBe(0);
    expect(exitStatus(5)).toBe(1280);
    expect(exitStatus(143)).toBe(143 << 8);
  });
});
