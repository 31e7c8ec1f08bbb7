import { createRequire } from 'node:module';
import type { Logger as PinoLogger } from 'pino';

export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
declare const require: NodeJS.Require | undefined;

type LogFn = (objOrMsg: object | string, msg?: string) => void;

/** The part of pino's logger kickstart uses; pino's own logger satisfies it. */
export interface Logger {
  level: string;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings: object): Logger;
}

const LEVELS: Record<LevelName, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Record<number, string> = {
  10: '\x1b[90m', 20: '\x1b[36m', 30: '\x1b[32m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[41m',
};
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** One pino JSON line as "HH:MM:SS.mmm LEVEL kickstart: msg key=value ..." for people at a terminal. */
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

function makePino(level: LevelName, prettyOption: boolean | undefined, bindings: object): PinoLogger {
  // Loaded on the first line actually logged: a run that logs nothing never
  // pays for pino. A plain require() lets the bundler inline pino lazily;
  // createRequire serves the sources run directly (tests).
  const { pino } = (typeof require === 'function' ? require('pino') : createRequire(import.meta.url)('pino')) as typeof import('pino');
  const base = { base: { pid: process.pid }, level, name: 'kickstart' };
  // process.stderr is looked at only now: creating it loads net or tty,
  // which a run that logs nothing need not pay for.
  const pretty = prettyOption ?? process.stderr.isTTY === true;
  let logger: PinoLogger;
  if (!pretty) {
    logger = pino(base, pino.destination({ fd: 2, sync: true }));
  } else {
    const colour = process.stderr.hasColors?.() ?? false;
    // pino needs only write(): no stream module for this.
    logger = pino(base, { write: (line: string) => process.stderr.write(prettyLine(line, colour)) });
  }
  return Object.keys(bindings).length ? logger.child(bindings) : logger;
}

/**
 * Logs go to stderr only, never into the record: pino JSON lines for
 * machines, one readable line per event when stderr is a terminal. Writes are
 * synchronous so the last lines before exit are never lost. Levels below the
 * threshold cost one comparison. `pretty` defaults to whether stderr is a
 * terminal, decided at the first line logged.
 */
export function createLogger(level: LevelName = 'info', pretty?: boolean, bindings: object = {}): Logger {
  const threshold = LEVELS[level] ?? LEVELS.info;
  let real: PinoLogger | undefined;
  const at = (name: Exclude<LevelName, 'silent'>): LogFn =>
    LEVELS[name] < threshold
      ? () => {}
      : (objOrMsg, msg) => {
          real ??= makePino(level, pretty, bindings);
          if (typeof objOrMsg === 'string') real[name](objOrMsg);
          else real[name](objOrMsg, msg);
        };
  return {
    level,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => createLogger(level, pretty, { ...bindings, ...more }),
  };
}

/** A logger that drops everything: the library default, so embedding code stays quiet. */
export const silentLogger: Logger = createLogger('silent', false);

/**
 * The logger with info and warn lines turned into debug lines: for stage-outs
 * that repeat every interval, where a file replaced while read is normal
 * (it is read again); a failed upload is logged by Live itself.
 */
export function quieter(l: Logger): Logger {
  return {
    get level() {
      return l.level;
    },
    trace: l.trace.bind(l),
    debug: l.debug.bind(l),
    info: l.debug.bind(l),
    warn: l.debug.bind(l),
    error: l.error.bind(l),
    fatal: l.fatal.bind(l),
    child: (bindings: object) => quieter(l.child(bindings)),
  };
}
