import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, ks, PYTHON } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('resource monitor (--monitor-interval, --metrics)', () => {
  const tmp = tempDir();
  const python = PYTHON;
  afterAll(() => tmp.cleanup());

  it('samples the whole tree: peaks in the record, every sample in --metrics', async () => {
    const metrics = join(tmp.dir, 'metrics.jsonl');
    const r = await ks(['-H', '--monitor-interval', '200ms', '--metrics', metrics, '--', python, join(FIXTURES, 'busy-tree.py'), '2.5']);
    expect(r.exitCode).toBe(0);
    const m = r.record.kickstart.monitor;
    expect(m.interval).toBe(0.2);
    // A loaded machine may skip ticks; an idle one takes about 12.
    expect(m.samples).toBeGreaterThanOrEqual(4);
    expect(m.peak_procs).toBe(3);
    expect(m.peak_rss).toBeGreaterThan(64 * 1024 * 1024);
    expect(m.peak_cpu).toBeGreaterThan(20);
    expect(m.series.t).toHaveLength(m.samples);
    const lines = readFileSync(metrics, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(m.samples);
    expect(lines.map((l) => l.t)).toEqual(m.series.t);
    expect(lines.map((l) => l.rss)).toEqual(m.series.rss);
    for (const l of lines) expect(Object.keys(l)).toEqual(['t', 'cpu', 'rss', 'procs', 'attempt']);
    const t = m.series.t as number[];
    expect(t.every((x, i) => i === 0 || x > t[i - 1])).toBe(true);
    expect(t[t.length - 1]).toBeLessThanOrEqual(r.record.duration);
  });

  it('takes no samples with --monitor-interval off', async () => {
    const r = await ks(['-H', '--monitor-interval', 'off', '--', 'sleep', '0.3']);
    expect(r.exitCode).toBe(0);
    expect(r.record.kickstart.monitor).toBeUndefined();
  });

  it.each([
    [['--monitor-interval', 'often'], /--monitor-interval.*'often' is not an interval/],
    [['--metrics', '/nonexistent/dir/m.jsonl'], /cannot write --metrics \/nonexistent\/dir\/m.jsonl: ENOENT/],
    [['--monitor-interval', '0', '--metrics', 'm.jsonl'], /--metrics needs sampling/],
  ])('refuses %j with one line and exit 127', async (flags, message) => {
    const r = await ks(['-H', ...flags, '--', 'true'], { cwd: tmp.dir });
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
