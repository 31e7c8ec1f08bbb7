import { describe, expect, it } from 'vitest';
import { LABEL_CHAR, PLOT, renderChart, yAxis } from '../../src/show/chart.js';
import { renderHtml } from '../../src/show/html.js';
import { attemptView, type Marker } from '../../src/show/model.js';

/** #18 item 8: the legend, the CPU axis and the marker labels. */
const record = (signals: { signal: string; at: number }[], uploads = false) =>
  attemptView(
    {
      invocation: true,
      duration: 4,
      mainjob: { status: { raw: 0, regular_exitcode: 0 }, executable: { file_name: '/bin/true' }, argument_vector: [] },
      kickstart: {
        outcome: 'completed',
        signals: signals.map((s) => ({ ...s, reason: 'forwarded', processes: 1 })),
        live_uploads: uploads ? [{ result: 'ok', generation: 2, at: 1, bytes: 1, duration: 0.1 }] : [],
        monitor: { interval: 1, samples: 3, series: { t: [1, 2, 3], cpu: [10, 100, 50], rss: [1, 2, 3], procs: [1, 1, 1] } },
      },
    },
    1,
  );
const legendOf = (html: string) => /<div class="legend">(.*?)<\/div>/.exec(html)![1].replace(/<[^>]+>/g, '|');

describe('show polish (#18 item 8)', () => {
  it('the legend lists only the signals that were sent, and uploads only when there were some', () => {
    expect(legendOf(renderHtml('r', [record([])]))).toBe('3 samples every 1 s');
    const term = legendOf(renderHtml('r', [record([{ signal: 'SIGTERM', at: 2 }])]));
    expect(term).toContain('SIGTERM');
    expect(term).not.toContain('SIGKILL');
    expect(term).not.toContain('upload');
    const all = legendOf(renderHtml('r', [record([{ signal: 'SIGUSR1', at: 1 }, { signal: 'SIGTERM', at: 2 }, { signal: 'SIGKILL', at: 3 }, { signal: 'SIGTERM', at: 3.5 }], true)]));
    expect(all.split('|').filter((s) => s && !s.startsWith('3 samples') && s.trim() !== '·')).toEqual(expect.arrayContaining(['checkpoint upload', 'SIGUSR1', 'SIGTERM', 'SIGKILL']));
    expect(all.match(/SIGTERM/g)).toHaveLength(1);
  });

  it('the CPU axis rounds to the data: a 100 % peak tops at 100, 101 % at 125, never 150', () => {
    expect(yAxis(100).top).toBe(100);
    expect(yAxis(101).top).toBe(125);
    expect(yAxis(130).top).toBeLessThanOrEqual(150);
    expect(yAxis(187).top).toBe(200);
    expect(yAxis(0.4).top).toBeCloseTo(0.4);
    for (const peak of [1, 3, 7, 33, 99, 100, 101, 120, 199, 250, 399, 1000, 1e6]) {
      const { step, top } = yAxis(peak);
      expect(top).toBeGreaterThanOrEqual(peak);
      expect(top).toBeLessThanOrEqual(peak * 1.34);
      expect(top / step).toBeGreaterThanOrEqual(1);
      expect(Math.round(top / step)).toBeLessThanOrEqual(6);
    }
    const svg = renderChart({ kind: 'cpu', title: 'c', t: [1, 2], values: [40, 100], tMax: 2, formatY: String, minTop: 100, markers: [] });
    expect(svg).toContain('data-y-top="100"');
  });

  it('marker labels never overlap, also in a crowd at the right edge, and stay inside the plot', () => {
    const at = (t: number, label: string): Marker => ({ at: t, kind: label.startsWith('gen') ? 'upload' : 'signal', label, detail: label });
    const crowds = [
      [at(9.9, 'SIGTERM'), at(9.95, 'SIGKILL'), at(10, 'gen 12'), at(10, 'SIGTERM'), at(9.97, 'gen 13'), at(9.99, 'SIGUSR1')],
      [at(0, 'gen 1'), at(0.01, 'SIGTERM'), at(5, 'gen 2'), at(5.02, 'gen 3'), at(5.04, 'gen 4'), at(5.06, 'gen 5'), at(5.08, 'gen 6')],
    ];
    for (const markers of crowds) {
      const svg = renderChart({ kind: 'cpu', title: 'c', t: [1], values: [1], tMax: 10, formatY: String, markers });
      const boxes = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"( text-anchor="end")?>([^<]+)<\/text><\/g>/g)].map((m) => {
        const x = Number(m[1]);
        const w = LABEL_CHAR * m[4].length;
        return { x0: m[3] ? x - w : x, x1: m[3] ? x : x + w, y: Number(m[2]) };
      });
      expect(boxes).toHaveLength(markers.length);
      for (const b of boxes) {
        expect(b.x0).toBeGreaterThanOrEqual(PLOT.x);
        expect(b.x1).toBeLessThanOrEqual(PLOT.x + PLOT.w);
        expect(b.y).toBeLessThanOrEqual(PLOT.y + PLOT.h);
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          const apart = a.y !== b.y || a.x1 <= b.x0 || b.x1 <= a.x0;
          expect(apart, `${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`).toBe(true);
        }
      }
    }
  });
});
