import { markerClass, renderChart } from './chart.js';
import { bytes, secs, type AttemptView, type Marker } from './model.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff; margin: 24px auto; max-width: 900px; padding: 0 12px; }
h1 { font-size: 20px; margin: 0 0 4px; } h1 code { font-size: 15px; }
h2 { font-size: 16px; margin: 28px 0 6px; border-top: 1px solid #d0d7de; padding-top: 14px; }
.sub { color: #59636e; margin: 0 0 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0 10px; }
dt { color: #59636e; } dd { margin: 0; }
.outcome { font-weight: 600; padding: 1px 7px; border-radius: 10px; }
.outcome.ok { background: #dafbe1; color: #116329; } .outcome.warn { background: #fff8c5; color: #7d4e00; } .outcome.bad { background: #ffebe9; color: #a40e26; }
.legend { color: #59636e; font-size: 12px; margin: 2px 0 6px; }
.legend span { margin-right: 14px; white-space: nowrap; } .legend i { display: inline-block; width: 14px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 4px; }
svg.chart { display: block; margin: 6px 0 4px; max-width: 100%; height: auto; }
svg .title { font-weight: 600; font-size: 13px; fill: #1f2328; }
svg .plot { fill: #f6f8fa; stroke: #d0d7de; }
svg .grid { stroke: #e4e7eb; }
svg .tick { stroke: #8c959f; } svg text.tick { stroke: none; fill: #59636e; font-size: 11px; }
svg text.tick.y { text-anchor: end; } svg text.tick.x { text-anchor: middle; }
svg[data-kind="cpu"] .series { fill: none; stroke: #0969da; stroke-width: 1.6; stroke-linejoin: round; }
svg[data-kind="cpu"] .area { fill: #0969da; fill-opacity: .12; stroke: none; }
svg[data-kind="memory"] .series { fill: none; stroke: #8250df; stroke-width: 1.6; stroke-linejoin: round; }
svg[data-kind="memory"] .area { fill: #8250df; fill-opacity: .12; stroke: none; }
svg .marker line { stroke-width: 1.5; } svg .marker text { font-size: 11px; font-weight: 600; }
svg .marker.term line { stroke: #bc4c00; } svg .marker.term text { fill: #bc4c00; }
svg .marker.kill line { stroke: #cf222e; } svg .marker.kill text { fill: #cf222e; }
svg .marker.other line { stroke: #6e7781; stroke-dasharray: 2 3; } svg .marker.other text { fill: #6e7781; }
svg .marker.upload line { stroke: #1a7f37; stroke-dasharray: 5 3; } svg .marker.upload text { fill: #1a7f37; }
.none { color: #59636e; font-style: italic; }
.gap h2 { border-top-style: dashed; }
`;

function outcomeClass(outcome: string): string {
  if (outcome === 'completed') return 'ok';
  return outcome.startsWith('deadline') || outcome.includes('checkpoint') ? 'warn' : 'bad';
}

/** An attempt that started and left no record: marked where it would have been. */
function gap(u: AttemptView['unfinished'][number]): string {
  const n = u.attempt !== undefined ? `Attempt ${u.attempt}` : 'An attempt';
  return `<section class="attempt gap"><h2>${esc(n)} <span class="outcome bad">never finished</span></h2><p class="none">${esc(u.message)}: it wrote no record.</p></section>`;
}

const LEGEND: Record<ReturnType<typeof markerClass>, string> = {
  term: 'border-color:#bc4c00',
  kill: 'border-color:#cf222e',
  other: 'border-color:#6e7781;border-top-style:dotted',
  upload: 'border-color:#1a7f37;border-top-style:dashed',
};

/** One entry per kind of marker the charts show: only signals that were sent, uploads only when there were some. */
function legend(markers: Marker[]): string {
  const seen = new Map<string, string>();
  for (const m of markers) {
    const cls = markerClass(m);
    const name = cls === 'upload' ? 'checkpoint upload' : m.label;
    if (!seen.has(name)) seen.set(name, LEGEND[cls]);
  }
  if (seen.size === 0) return '';
  return ` · ${[...seen].map(([name, style]) => `<span><i style="${style}"></i>${esc(name)}</span>`).join('')}`;
}

function section(v: AttemptView): string {
  const n = v.attempt !== undefined ? `Attempt ${v.attempt}` : `Record ${v.index}`;
  const rows: [string, string][] = [
    ['command', `<code>${esc(v.command)}</code>`],
    ['outcome', `<span class="outcome ${outcomeClass(v.outcome)}">${esc(v.outcome)}</span>${v.exitcode !== undefined ? ` exit ${v.exitcode}` : ''}`],
    ['duration', esc(secs(v.duration) + (v.start ? ` from ${v.start}` : ''))],
    ['main job', esc(v.ended)],
  ];
  if (v.signals.length) rows.push(['signals', v.signals.map((s) => esc(s.detail)).join('<br>')]);
  if (v.checkpointIn) rows.push(['checkpoint in', esc(v.checkpointIn)]);
  if (v.checkpointOut) rows.push(['checkpoint out', esc(v.checkpointOut)]);
  if (v.live) rows.push(['live shipping', esc(v.live)]);
  const peaks = [
    v.peakRss !== undefined ? `memory ${bytes(v.peakRss)}` : '',
    v.peakCpu !== undefined ? `CPU ${Math.round(v.peakCpu)} %` : '',
    v.peakProcs !== undefined ? `${v.peakProcs} process${v.peakProcs === 1 ? '' : 'es'}` : '',
  ].filter(Boolean);
  if (peaks.length) rows.push(['peak', esc(peaks.join(', '))]);
  const out = [`<section class="attempt" data-index="${v.index}">`, `<h2>${esc(n)}</h2>`];
  out.push(`<dl>${rows.map(([k, val]) => `<dt>${k}</dt><dd>${val}</dd>`).join('')}</dl>`);
  const markers = [...v.signals, ...v.uploads].sort((a, b) => a.at - b.at);
  if (v.series && v.series.t.length > 0) {
    out.push(
      `<div class="legend">${v.samples} samples every ${esc(secs(v.interval ?? 0))}${legend(markers)}</div>`,
    );
    const common = { t: v.series.t, tMax: v.duration, markers };
    out.push(renderChart({ ...common, kind: 'cpu', title: 'CPU (% of one core, whole job tree)', values: v.series.cpu, formatY: (y) => `${y} %`, minTop: 100 }));
    out.push(renderChart({ ...common, kind: 'memory', title: 'Memory (resident, whole job tree)', values: v.series.rss, formatY: bytes, binary: true }));
  } else {
    out.push('<p class="none">No resource samples in this record (kickstart samples with --monitor-interval, default 1 s).</p>');
  }
  out.push('</section>');
  return out.join('\n');
}

/** One self-contained page: inline CSS and SVG, no scripts, no external assets (pure). */
export function renderHtml(name: string, views: AttemptView[]): string {
  const commands = new Set(views.map((v) => v.command));
  const title = `kickstart: ${name}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<h1>${esc(name)}</h1>`,
    `<p class="sub">${views.length} attempt${views.length === 1 ? '' : 's'}${commands.size === 1 ? ` of <code>${esc(views[0].command)}</code>` : ''}</p>`,
    ...views.flatMap((v) => [...v.unfinished.map(gap), section(v)]),
    '</body></html>',
    '',
  ].join('\n');
}
