const BARS = '▁▂▃▄▅▆▇█';

/**
 * Values as one line of block characters, at most `width` long: neighbours
 * share a character by their maximum, so a short peak stays visible.
 * Scaled from 0 to `top` (default: the largest value).
 */
export function sparkline(values: readonly number[], width = 60, top?: number): string {
  if (values.length === 0) return '';
  const n = Math.min(width, values.length);
  const cols: number[] = [];
  for (let c = 0; c < n; c++) {
    const from = Math.floor((c * values.length) / n);
    const to = Math.max(from + 1, Math.floor(((c + 1) * values.length) / n));
    let m = -Infinity;
    for (let i = from; i < to; i++) m = Math.max(m, values[i]);
    cols.push(m);
  }
  const max = top ?? Math.max(...cols);
  return cols.map((v) => BARS[max > 0 ? Math.min(7, Math.max(0, Math.round((v / max) * 7))) : 0]).join('');
}
