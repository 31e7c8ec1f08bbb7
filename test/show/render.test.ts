import { describe, expect, it } from 'vitest';
import { niceStep, renderChart, PLOT } from '../../src/show/chart.js';
import { parseRecords, ShowError } from '../../src/show/load.js';
import { attemptView, bytes } from '../../src/show/model.js';
import { sparkline } from '../../src/show/sparkline.js';

describe('sparkline', () => {
  it('scales from zero to the top and keeps short peaks when squeezed', () => {
    expect(sparkline([0, 50, 100], 60, 100)).toBe('▁▅█');
    const squeezed = sparkline([...Array(100).fill(1), 80, ...Array(99).fill(1)], 20);
    expect(squeezed).toHaveLength(20);
    expect(squeezed).toContain('█');
    expect(sparkline([], 10)).toBe('');
    expect(sparkline([0, 0], 10)).toBe('▁▁');
  });
});

describe('chart', () => {
  it('picks 1-2-5 steps', () => {
    expect(niceStep(100, 4)).toBe(50);
    expect(niceStep(7, 8)).toBe(1);
    expect(niceStep(4.4, 8)).toBe(1);
    expect(niceStep(0.9, 8)).toBe(0.2);
  });

  it('places each sample and marker on the time axis from 0 to the duration', () => {
    const svg = renderChart({
      kind: 'cpu', title: 't', t: [1, 2, 4], values: [10, 50, 100], tMax: 4, formatY: String, minTop: 100,
      markers: [{ at: 2, kind: 'signal', label: 'SIGTERM', detail: 'SIGTERM at 2 s' }],
    });
    const points = /class="series" data-count="3" points="([^"]+)"/.exec(svg)![1].split(' ').map((p) => p.split(',').map(Number));
    expect(points.map(([x]) => x)).toEqual([PLOT.x + PLOT.w / 4, PLOT.x + PLOT.w / 2, PLOT.x + PLOT.w]);
    expect(points[2][1]).toBe(PLOT.y);
    expect(svg).toMatch(new RegExp(`data-label="SIGTERM" data-at="2"><title>SIGTERM at 2 s</title><line x1="${PLOT.x + PLOT.w / 2}"`));
  });
});

describe('records', () => {
  it('takes YAML lists and JSON lines; refuses what is neither', () => {
    expect(parseRecords('- invocation: True\n  duration: 1.5\n- invocation: True\n', 'f')).toHaveLength(2);
    expect(parseRecords('{"invocation":true}\n\n{"invocation":true,"duration":2}\n', 'f')[1].duration).toBe(2);
    expect(() => parseRecords('- a: 1\n', 'f')).toThrow(ShowError);
    expect(() => parseRecords(': : [\n', 'f')).toThrow(/f( line \d+)? is not YAML/);
  });

  it('describes an attempt from its kickstart block, and a Pegasus record without one', () => {
    const v = attemptView({
      invocation: true, duration: 3, mainjob: { status: { raw: 9, signalled_signal: 9, singalled_name: 'Killed' }, executable: { file_name: '/bin/sh' }, argument_vector: ['-c', 'sleep 9'], usage: { maxrss: 2048 } },
      kickstart: {
        outcome: 'checkpointed', attempt: 2, exitcode: 14,
        signals: [{ signal: 'SIGTERM', at: 1, reason: 'checkpoint-time', processes: 1 }],
        live_uploads: [{ result: 'ok', generation: 3, at: 0.5, bytes: 10, duration: 0.1 }, { result: 'superseded', at: 2, bytes: 0, duration: 0 }],
        stage_out: { result: 'ok', generation: 4, at: 2.5, bytes: 10, duration: 0.1, files: [{}] },
        monitor: { interval: 1, samples: 2, peak_rss: 4096, peak_cpu: 99, peak_procs: 2, series: { t: [1, 2], cpu: [50, 99], rss: [1024, 4096], procs: [1, 2] } },
      },
    }, 1);
    expect(v).toMatchObject({ attempt: 2, outcome: 'checkpointed', exitcode: 14, ended: 'signal 9 (Killed)', command: "/bin/sh -c 'sleep 9'", peakRss: 4096 });
    expect(v.uploads.map((u) => [u.label, u.at])).toEqual([['gen 3', 0.5], ['gen 4', 2.5]]);
    expect(v.checkpointOut).toBe('generation 4 shipped (1 file, 10 B, 0.1 s); 1 live upload');
    const pegasus = attemptView({ invocation: true, duration: 1, mainjob: { status: { raw: 0, regular_exitcode: 0 }, executable: { file_name: '/bin/true' }, argument_vector: [], usage: { maxrss: 1024 } } }, 1);
    expect(pegasus).toMatchObject({ outcome: 'completed', ended: 'exit 0', peakRss: 1024 * 1024, signals: [], uploads: [] });
    expect(pegasus.series).toBeUndefined();
    expect(bytes(1536)).toBe('1.5 KiB');
  });

  it('says what live shipping did with every interval, and an unchanged stage-out', () => {
    const v = attemptView({
      invocation: true, duration: 9,
      kickstart: {
        live: { interval: 1, intervals: 8, shipped: 2, unchanged: 1, failed: 0, skipped: { settling: 4, in_flight: 1 }, waiting_on: 'md.log' },
        stage_out: { result: 'unchanged', generation: 2, at: 8.9, bytes: 10, duration: 0.1, files: [{}] },
      },
    }, 1);
    expect(v.live).toBe('8 intervals of 1 s: 2 shipped, 1 unchanged, 5 skipped (settling 4, in flight 1); at the end waiting for md.log');
    expect(v.checkpointOut).toBe('unchanged: the files are generation 2, nothing new published');
    expect(v.uploads).toEqual([]);
    expect(attemptView({ invocation: true, duration: 1, kickstart: {} }, 1).live).toBeUndefined();
    // Chunked generations say what was sent: appended outputs make every generation whole, not every upload.
    const sent = attemptView({ invocation: true, duration: 9, kickstart: { live: { interval: 5, intervals: 8, shipped: 7, unchanged: 0, failed: 0, bytes_new: 6280421 } } }, 1);
    expect(sent.live).toBe('8 intervals of 5 s: 7 shipped (6.0 MiB sent)');
  });
});
