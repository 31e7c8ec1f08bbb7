import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, PYTHON, ROOT, ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';
import { browserSkipReason, openBrowser } from './chromium.js';

const skip = browserSkipReason();
if (skip) console.warn(`skipping the HTML report browser test: ${skip}`);

const SHOT = join(ROOT, 'test-output', 'show-report.png');

/**
 * The page `kickstart show --html` writes, rendered by a real chromium:
 * every sample is a point where its time and value put it, and the SIGTERM,
 * SIGKILL and upload markers stand where the record says they happened.
 */
describe.skipIf(skip !== undefined)('kickstart show --html in a headless browser', () => {
  const tmp = tempDir();
  const rec = join(tmp.dir, 'job.yml');
  const page = join(tmp.dir, 'report.html');
  let record: any;
  afterAll(() => tmp.cleanup());

  beforeAll(async () => {
    const python = PYTHON;
    const work = join(tmp.dir, 'work');
    mkdirSync(work);
    const r = await ks(
      ['-H', '-l', rec, '-k', '2.5', '-K', '1.5', '--monitor-interval', '100ms',
        '--checkpoint', 'ckpt.txt', '--checkpoint-interval', '1s', '--staging', `file://${tmp.dir}/staging`, '--job-id', 'report',
        '--', python, join(FIXTURES, 'report-job.py'), 'ckpt.txt'],
      { cwd: work },
    );
    record = (parse(readFileSync(rec, 'utf8')) as any[])[0];
    expect(record.kickstart.signals.map((s: any) => s.signal)).toEqual(['SIGTERM', 'SIGKILL']);
    // 'unchanged' when the checkpoint written at SIGTERM went out live already.
    expect(['ok', 'unchanged']).toContain(record.kickstart.stage_out.result);
    expect(record.kickstart.live_uploads?.filter((u: any) => u.result === 'ok').length).toBeGreaterThan(0);
    expect(record.kickstart.monitor.samples).toBeGreaterThan(5);
    expect(r.exitCode).not.toBe(0);
    const shown = await ks(['show', rec, '--html', page]);
    expect(shown.exitCode).toBe(0);
  }, 120_000);

  it('renders one point per sample and the markers at the record’s times', async () => {
    const html = readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
    const { context, close } = await openBrowser();
    try {
      const tab = await context.newPage();
      const problems: string[] = [];
      tab.on('pageerror', (e) => problems.push(String(e)));
      tab.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      tab.on('request', (req) => !req.url().startsWith('file:') && problems.push(`fetched ${req.url()}`));
      await tab.goto(`file://${page}`);
      const seen = await tab.evaluate(() =>
        [...document.querySelectorAll('svg.chart')].map((svg) => {
          const plot = svg.querySelector('rect.plot') as SVGRectElement;
          const line = svg.querySelector('polyline.series') as SVGPolylineElement;
          const box = plot.getBoundingClientRect();
          return {
            kind: svg.getAttribute('data-kind'),
            width: svg.getBoundingClientRect().width,
            plot: { x: plot.x.baseVal.value, y: plot.y.baseVal.value, w: plot.width.baseVal.value, h: plot.height.baseVal.value },
            box: { left: box.left, width: box.width },
            points: Array.from({ length: line.points.numberOfItems }, (_, i) => {
              const p = line.points.getItem(i);
              return { x: p.x, y: p.y };
            }),
            markers: [...svg.querySelectorAll('g.marker')].map((g) => {
              const l = g.querySelector('line')!;
              const r = l.getBoundingClientRect();
              return { label: g.getAttribute('data-label'), at: Number(g.getAttribute('data-at')), x: l.x1.baseVal.value, px: r.left + r.width / 2 };
            }),
          };
        }),
      );
      expect(problems).toEqual([]);
      expect(seen.map((c) => c.kind)).toEqual(['cpu', 'memory']);
      const ks = record.kickstart;
      const { t } = ks.monitor.series;
      const duration = record.duration;
      for (const chart of seen) {
        expect(chart.width).toBeGreaterThan(300);
        // One point per sample, at its time on the x axis.
        expect(chart.points).toHaveLength(t.length);
        chart.points.forEach((p, i) => expect(p.x).toBeCloseTo(chart.plot.x + (t[i] / duration) * chart.plot.w, 1));
        // Higher values sit higher: the largest sample is the topmost point, and all are inside the plot.
        const values: number[] = chart.kind === 'cpu' ? ks.monitor.series.cpu : ks.monitor.series.rss;
        const top = chart.points.reduce((a, p, i) => (p.y < chart.points[a].y ? i : a), 0);
        expect(values[top]).toBe(Math.max(...values));
        for (const p of chart.points) expect(p.y).toBeGreaterThanOrEqual(chart.plot.y - 0.01);
        for (const p of chart.points) expect(p.y).toBeLessThanOrEqual(chart.plot.y + chart.plot.h + 0.01);
        // Markers where the record says: in SVG units and on screen.
        const expected = [
          ...ks.signals.map((s: any) => ({ label: s.signal, at: s.at })),
          ...ks.live_uploads.filter((u: any) => u.result === 'ok').map((u: any) => ({ label: `gen ${u.generation}`, at: u.at })),
          ...(ks.stage_out.result === 'ok' ? [{ label: `gen ${ks.stage_out.generation}`, at: ks.stage_out.at }] : []),
        ];
        expect(chart.markers).toHaveLength(expected.length);
        for (const e of expected) {
          const m = chart.markers.find((k) => k.label === e.label && k.at === e.at);
          expect(m, `${e.label} at ${e.at}`).toBeDefined();
          expect(m!.x).toBeCloseTo(chart.plot.x + (e.at / duration) * chart.plot.w, 1);
          expect(Math.abs(m!.px - (chart.box.left + (e.at / duration) * chart.box.width))).toBeLessThan(1.5);
        }
      }
      mkdirSync(join(ROOT, 'test-output'), { recursive: true });
      await tab.screenshot({ path: SHOT, fullPage: true });
    } finally {
      await close();
    }
  });
});
