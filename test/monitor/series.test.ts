import { describe, expect, it } from 'vitest';
import { treeCpu } from '../../src/monitor/cpu.js';
import { downsample, emptyColumns, metricsLine, push, summarise } from '../../src/monitor/series.js';

describe('treeCpu', () => {
  it('sums the growth of cpu time over the tree as % of one core', () => {
    const prev = new Map([[10, 1000], [11, 500]]);
    const r = treeCpu(prev, [
      { pid: 10, ctime: 1500, elapsed: 9000 },
      { pid: 11, ctime: 1000, elapsed: 9000 },
    ], 1000);
    expect(r.cpu).toBe(100);
    expect([...r.next]).toEqual([[10, 1500], [11, 1000]]);
  });

  it('counts a process born since the last sample in full, one seen late from now on', () => {
    const r = treeCpu(new Map(), [
      { pid: 20, ctime: 300, elapsed: 600 },
      { pid: 21, ctime: 5000, elapsed: 60_000 },
    ], 1000);
    expect(r.cpu).toBe(30);
  });

  it('never goes negative when a pid was reused', () => {
    expect(treeCpu(new Map([[5, 900]]), [{ pid: 5, ctime: 10, elapsed: 20 }], 1000).cpu).toBe(0);
  });
});

describe('series', () => {
  const columns = (n: number) => {
    const c = emptyColumns();
    for (let i = 0; i < n; i++) push(c, { t: i + 1, cpu: i % 7, rss: i === 1234 ? 9e9 : 1000 + i, procs: i === 99 ? 40 : 2 });
    return c;
  };

  it('keeps every sample up to the limit', () => {
    const c = columns(600);
    expect(downsample(c, 600)).toEqual(c);
  });

  it('downsamples to the limit, keeping each bucket’s first time and its peaks', () => {
    const d = downsample(columns(5000), 600);
    expect(d.t).toHaveLength(600);
    expect(d.t[0]).toBe(1);
    expect(d.t.every((t, i) => i === 0 || t > d.t[i - 1])).toBe(true);
    expect(Math.max(...d.rss)).toBe(9e9);
    expect(Math.max(...d.procs)).toBe(40);
    expect(Math.max(...d.cpu)).toBe(6);
  });

  it('summarises peaks over all samples, not the downsampled ones', () => {
    const s = summarise(columns(5000), 250, 100)!;
    expect(s).toMatchObject({ interval: 0.25, samples: 5000, peak_rss: 9e9, peak_procs: 40, peak_cpu: 6 });
    expect(s.series.t).toHaveLength(100);
    expect(summarise(emptyColumns(), 1000)).toBeUndefined();
  });

  it('writes one JSON object per metrics line', () => {
    expect(JSON.parse(metricsLine({ t: 1.5, cpu: 99.5, rss: 1024, procs: 3 }, 2))).toEqual({ t: 1.5, cpu: 99.5, rss: 1024, procs: 3, attempt: 2 });
  });
});
