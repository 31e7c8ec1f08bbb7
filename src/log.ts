import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL',
};
const LEVEL_COLOURS: Record<number, string> = {
  10: '\x1b[90m', 20: '\x1b[36m', 30: '\x1b[32m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[41m',
};
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** One pino JSON line as "HH:MM:SS.mmm LEVEL msg key=value ..." for people at a terminal. */
export function prettyLine(json: string, colour: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json);
  } catch {
    return json;
  }
  const time = new Date(Number(o.time)).toISOString().slice(11, 23);
  const level = Number(o.level);
  const name = LEVEL_NAMES[level] ?? String(level);
  const tag = colour ? `${LEVEL_COLOURS[level] ?? ''}${name.padEnd(5)}\x1b[0m` : name.padEnd(5);
  const extra = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${tag} kickstart: ${String(o.msg ?? '')}${extra ? ' ' + extra : ''}\n`;
}

/**
 * Logs go to stderr only, never into the record: JSON lines for machines, one
 * readable line per event when stderr is a terminal. Writes are synchronous so
 * that the last lines before process.exit are never lost.
 */
export function createLogger(level: LevelWithSilent = 'info', pretty = process.stderr.isTTY === true): Logger {
  const base = { base: { pid: process.pid }, level, name: 'kickstart' };
  if (!pretty) return pino(base, pino.destination({ fd: 2, sync: true }));
  const colour = process.stderr.hasColors?.() ?? false;
  const out = new Writable({
    write(chunk, _enc, done) {
      process.stderr.write(prettyLine(String(chunk), colour));
      done();
    },
  });
  return pino(base, out);
}

/** A logger that drops everything: the library default, so embedding code stays quiet. */
export const silentLogger: Logger = pino({ level: 'silent' });
