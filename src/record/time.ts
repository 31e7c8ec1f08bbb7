/**
 * Timestamps in Pegasus's shapes: local wall-clock time with the local UTC
 * offset, so records read the same as pegasus-kickstart's on the same host
 * (its fmtisodate uses localtime + "%z" rewritten as "+HH:MM").
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function offset(d: Date): string {
  // getTimezoneOffset is minutes *behind* UTC, hence the sign flip.
  const minutes = -d.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function base(d: Date): string {
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** "2026-11-25T04:55:40.247+00:00": record and job starts. */
export function isoMillis(ms: number): string {
  const d = new Date(Math.floor(ms));
  return `${base(d)}.${pad(d.getMilliseconds(), 3)}${offset(d)}`;
}

/** "2026-11-25T04:55:40+00:00": file times (stat has whole seconds in Pegasus). */
export function isoSeconds(ms: number): string {
  const d = new Date(Math.floor(ms));
  return `${base(d)}${offset(d)}`;
}
