const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses `90s`, `2m`, `1.5h`, `500ms` into milliseconds. A bare number takes
 * `bareUnit`: minutes for the deadline flags, as in the Pegasus profiles
 * (checkpoint.time, maxwalltime) users copy them from; seconds for -k/-K.
 * Returns undefined when the text is not a duration.
 */
export function parseDuration(text: string, bareUnit: 's' | 'm' = 'm'): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2].toLowerCase() || bareUnit;
  const scale = UNITS[unit];
  if (scale === undefined) return undefined;
  const ms = Number(m[1]) * scale;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
