import type { LiveSummary } from '../record/types.js';
import type { Read } from './load.js';

/**
 * What live shipping did over the main job (the record's kickstart.live),
 * in one line: never silent about the intervals it skipped (pure).
 */
export function liveText(live: Read<LiveSummary> | undefined, bytes: (n: number) => string = (n) => `${n} B`): string | undefined {
  if (typeof live !== 'object' || live === null || typeof live.intervals !== 'number') return undefined;
  const sent = typeof live.bytes_new === 'number' ? ` (${bytes(live.bytes_new)} sent)` : '';
  const parts = [`${live.shipped ?? 0} shipped${sent}`];
  if (live.unchanged) parts.push(`${live.unchanged} unchanged`);
  if (live.failed) parts.push(`${live.failed} failed`);
  const skipped = typeof live.skipped === 'object' && live.skipped !== null ? Object.entries(live.skipped as Record<string, number>) : [];
  const total = skipped.reduce((n, [, v]) => n + (typeof v === 'number' ? v : 0), 0);
  if (total > 0) parts.push(`${total} skipped (${skipped.map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ')})`);
  const every = typeof live.interval === 'number' ? ` of ${live.interval} s` : '';
  const waiting = typeof live.waiting_on === 'string' ? `; at the end waiting for ${live.waiting_on}` : '';
  return `${live.intervals} interval${live.intervals === 1 ? '' : 's'}${every}: ${parts.join(', ')}${waiting}`;
}
