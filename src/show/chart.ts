import type { Marker } from './model.js';

export interface ChartSpec {
  kind: 'cpu' | 'memory';
  title: string;
  t: number[];
  values: number[];
  /** The x axis runs from 0 to this many seconds (the record's duration). */
  tMax: number;
  markers: Marker[];
  formatY: (v: number) => string;
  /** The y axis's top before rounding up (e.g. 100 % for CPU). */
  minTop?: number;
  /** Byte values: ticks on whole KiB/MiB/GiB steps rather than decimal ones. */
  binary?: boolean;
}

/** Plot geometry in SVG user units; the browser test reads it back from the page. */
export const W = 860;
export const H = 230;
const PAD = { left: 74, right: 16, top: 26, bottom: 30 };
export const PLOT = { x: PAD.left, y: PAD.top, w: W - PAD.left - PAD.right, h: H - PAD.top - PAD.bottom };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r2 = (x: number) => Math.round(x * 100) / 100;

/** 1, 2 or 5 times a power of ten: ticks people read at a glance. */
export function niceStep(range: number, ticks: number): number {
  const raw = range / Math.max(1, ticks);
  const p = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/**
 * The y axis's step and top: the lowest top at or above the peak that 3 to 5
 * steps of 1, 2, 2.5 or 5 times a power of ten reach, so a 100 % peak tops at
 * 100 and 101 % at 125, not 150.
 */
export function yAxis(peak: number, unit = 1): { step: number; top: number } {
  const p = (peak || 1) / unit;
  let best = { step: 0, top: Infinity };
  for (let ticks = 3; ticks <= 5; ticks++) {
    const raw = p / ticks;
    const pow = 10 ** Math.floor(Math.log10(raw));
    const m = [1, 2, 2.5, 5, 10].find((k) => k * pow >= raw - 1e-12) ?? 10;
    const step = m * pow;
    const top = Math.max(step, Math.ceil(p / step - 1e-9) * step);
    if (top < best.top - 1e-9) best = { step, top };
  }
  return { step: best.step * unit, top: best.top * unit };
}

/** One chart as an inline SVG element (pure): a polyline with one point per sample, markers as lines. */
export function renderChart(c: ChartSpec): string {
  const tMax = c.tMax > 0 ? c.tMax : 1;
  const peak = Math.max(c.minTop ?? 0, ...c.values, 0);
  const unit = c.binary ? 1024 ** Math.max(0, Math.floor(Math.log(peak || 1) / Math.log(1024))) : 1;
  const { step: yStep, top: yTop } = yAxis(peak, unit);
  const x = (t: number) => r2(PLOT.x + (Math.min(Math.max(t, 0), tMax) / tMax) * PLOT.w);
  const y = (v: number) => r2(PLOT.y + PLOT.h - (v / yTop) * PLOT.h);
  const parts: string[] = [];
  parts.push(`<svg class="chart" data-kind="${c.kind}" data-t-max="${tMax}" data-y-top="${yTop}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(c.title)}">`);
  parts.push(`<text class="title" x="${PLOT.x}" y="16">${esc(c.title)}</text>`);
  parts.push(`<rect class="plot" x="${PLOT.x}" y="${PLOT.y}" width="${PLOT.w}" height="${PLOT.h}"/>`);
  for (let v = 0; v <= yTop + 1e-9; v += yStep) {
    parts.push(`<line class="grid" x1="${PLOT.x}" x2="${PLOT.x + PLOT.w}" y1="${y(v)}" y2="${y(v)}"/>`);
    parts.push(`<text class="tick y" x="${PLOT.x - 6}" y="${y(v) + 4}">${esc(c.formatY(v))}</text>`);
  }
  const tStep = niceStep(tMax, 8);
  for (let t = 0; t <= tMax + 1e-9; t += tStep) {
    parts.push(`<line class="tick" x1="${x(t)}" x2="${x(t)}" y1="${PLOT.y + PLOT.h}" y2="${PLOT.y + PLOT.h + 4}"/>`);
    parts.push(`<text class="tick x" x="${x(t)}" y="${H - 10}">${esc(axisTime(t, tStep))}</text>`);
  }
  if (c.t.length > 0) {
    const pts = c.t.map((t, i) => `${x(t)},${y(c.values[i])}`).join(' ');
    const area = `${x(c.t[0])},${y(0)} ${pts} ${x(c.t[c.t.length - 1])},${y(0)}`;
    parts.push(`<polygon class="area" points="${area}"/>`);
    parts.push(`<polyline class="series" data-count="${c.t.length}" points="${pts}"/>`);
  }
  const lanes: [number, number][][] = [];
  for (const m of [...c.markers].sort((a, b) => a.at - b.at)) {
    const cls = markerClass(m);
    const text = m.label.replace(/^SIG/, '');
    const mx = x(m.at);
    // A label that would cross the right edge goes on the line's left, so it stays inside
    // the chart; each takes the first text row where it overlaps no other label (a new row
    // when none is free: rows never share a label's span).
    const width = LABEL_CHAR * text.length + 4;
    const left = mx + 3 + width > PLOT.x + PLOT.w;
    const span: [number, number] = left ? [mx - 3 - width, mx - 3] : [mx + 3, mx + 3 + width];
    let row = lanes.findIndex((l) => l.every(([a, b]) => span[1] < a || span[0] > b));
    if (row < 0) row = lanes.push([]) - 1;
    lanes[row].push(span);
    parts.push(
      `<g class="marker ${m.kind} ${cls}" data-label="${esc(m.label)}" data-at="${m.at}">` +
        `<title>${esc(m.detail)}</title>` +
        `<line x1="${mx}" x2="${mx}" y1="${PLOT.y}" y2="${PLOT.y + PLOT.h}"/>` +
        `<text x="${left ? mx - 3 : mx + 3}" y="${PLOT.y + 12 + 12 * row}"${left ? ' text-anchor="end"' : ''}>${esc(text)}</text></g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** Widest advance of a bold 11 px label character in user units (digits and capitals). */
export const LABEL_CHAR = 7.2;

/** The marker's style: upload, TERM, KILL, or any other signal. */
export function markerClass(m: Marker): 'upload' | 'term' | 'kill' | 'other' {
  return m.kind === 'upload' ? 'upload' : m.label === 'SIGKILL' ? 'kill' : m.label === 'SIGTERM' ? 'term' : 'other';
}

function axisTime(t: number, step: number): string {
  if (step >= 60 && t % 60 === 0) return t >= 3600 && t % 3600 === 0 ? `${t / 3600} h` : `${t / 60} min`;
  return `${Math.round(t * 100) / 100} s`;
}
