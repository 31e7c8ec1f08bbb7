import { bytes, secs, type AttemptView } from './model.js';
import { sparkline } from './sparkline.js';

export interface TextOptions {
  colour: boolean;
  /** Terminal columns; sparklines take what the labels leave. */
  columns: number;
}

const paint = (on: boolean, code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** The human summary of a record file: one block per attempt (pure). */
export function renderText(name: string, views: AttemptView[], o: TextOptions): string {
  const bold = paint(o.colour, '1');
  const dim = paint(o.colour, '2');
  const good = paint(o.colour, '32');
  const warn = paint(o.colour, '33');
  const bad = paint(o.colour, '31');
  const cyan = paint(o.colour, '36');
  const outcomeColour = (v: AttemptView) =>
    v.outcome === 'completed' ? good : v.outcome.startsWith('deadline') || v.outcome.includes('checkpoint') ? warn : bad;
  const commands = new Set(views.map((v) => v.command));
  const lines: string[] = [];
  const count = `${views.length} attempt${views.length === 1 ? '' : 's'}`;
  lines.push(`${bold(name)}: ${count}${commands.size === 1 ? ` of ${views[0].command}` : ''}`);
  const label = (s: string) => `  ${dim(s.padEnd(15))}`;
  const spark = Math.max(10, Math.min(60, o.columns - 34));
  for (const v of views) {
    for (const u of v.unfinished) {
      lines.push('');
      lines.push(`${bold(u.attempt !== undefined ? `attempt ${u.attempt}` : 'an attempt')}  ${bad('never finished')}  ${dim('no record')}`);
      lines.push(`${label('gap')}${bad(u.message)}`);
    }
    lines.push('');
    const n = v.attempt !== undefined ? `attempt ${v.attempt}` : `record ${v.index}`;
    const exit = v.exitcode !== undefined ? `  exit ${v.exitcode}` : '';
    lines.push(`${bold(n)}  ${outcomeColour(v)(v.outcome)}${exit}  ${secs(v.duration)}${v.start ? dim(`  ${v.start}`) : ''}`);
    if (commands.size > 1) lines.push(`${label('command')}${v.command}`);
    lines.push(`${label('main job')}${v.ended}`);
    if (v.signals.length) {
      lines.push(`${label('signals')}${v.signals.map((s) => (s.label === 'SIGKILL' ? bad : warn)(s.detail)).join(`\n${' '.repeat(17)}`)}`);
    }
    if (v.checkpointIn) lines.push(`${label('checkpoint in')}${v.checkpointIn}`);
    if (v.checkpointOut) lines.push(`${label('checkpoint out')}${v.checkpointOut}`);
    if (v.live) lines.push(`${label('live shipping')}${v.live}`);
    const peak = [
      v.peakRss !== undefined ? `memory ${bytes(v.peakRss)}` : '',
      v.peakCpu !== undefined ? `CPU ${Math.round(v.peakCpu)} %` : '',
      v.peakProcs !== undefined ? `${v.peakProcs} process${v.peakProcs === 1 ? '' : 'es'}` : '',
    ].filter(Boolean);
    if (peak.length) lines.push(`${label('peak')}${peak.join(', ')}`);
    if (v.series && v.series.t.length > 1) {
      const top = Math.max(100, ...v.series.cpu);
      lines.push(`${label('cpu')}${cyan(sparkline(v.series.cpu, spark, top))} ${dim(`0–${Math.round(top)} %`)}`);
      lines.push(`${label('memory')}${cyan(sparkline(v.series.rss, spark))} ${dim(`0–${bytes(Math.max(...v.series.rss))}`)}`);
      lines.push(`${label('')}${dim(`${v.samples} samples every ${secs(v.interval ?? 0)}, ${secs(v.series.t[0])} to ${secs(v.series.t[v.series.t.length - 1])}`)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
