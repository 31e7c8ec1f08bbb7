import { join } from 'node:path';
import { ROOT } from './run.js';

/** The seed tutorial's app, as shipped in examples/. */
export const COUNT_PY = join(ROOT, 'examples', 'count', 'count.py');

export { PYTHON } from './run.js';

/** What one attempt of count.py did, read from its record alone. */
export interface CountAttempt {
  /** kickstart.attempt of the record. */
  attempt: number;
  /** KICKSTART_ATTEMPT as the app saw it (its first stdout line). */
  appAttempt: string;
  /** The count it restored before counting (0: it started from the beginning). */
  from: number;
  printed: number[];
  done: boolean;
  outcome: string;
  exitcode: number;
}

/** Reads count.py's stdout ("start: attempt=A from=n", then one number a line) from each record. */
export function countAttempts(records: any[]): CountAttempt[] {
  return records.map((r) => {
    const out: string = r?.files?.stdout?.data ?? '';
    const start = /^start: attempt=(\S+) from=(\d+)$/m.exec(out);
    return {
      attempt: r?.kickstart?.attempt,
      appAttempt: start?.[1] ?? '',
      from: start ? Number(start[2]) : Number.NaN,
      printed: out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number),
      done: /^done$/m.test(out),
      outcome: r?.kickstart?.outcome,
      exitcode: r?.kickstart?.exitcode,
    };
  });
}

/**
 * Everything wrong with a run of count.py to N over several attempts, as
 * sentences (empty when it is right): each attempt after the first resumes
 * where the one before stopped (within the one step a signal can fall
 * between printing and saving), never from 0, and together they count
 * every number up to N.
 */
export function resumeProblems(all: CountAttempt[], n: number): string[] {
  const problems: string[] = [];
  // On a loaded machine a deadline can fire before python has even started:
  // such an attempt says nothing (and ships back what it restored).
  const attempts = all.filter((a, i) => !Number.isNaN(a.from) || i === all.length - 1);
  if (attempts.length === 0) return ['no attempt recorded'];
  if (attempts[0].from !== 0) problems.push(`attempt ${attempts[0].attempt} started from ${attempts[0].from}, not 0`);
  for (let i = 1; i < attempts.length; i++) {
    const a = attempts[i];
    const before = attempts[i - 1].printed.at(-1) ?? attempts[i - 1].from;
    if (!(a.from > 0)) problems.push(`attempt ${a.attempt} started from ${a.from}`);
    else if (Math.abs(a.from - before) > 1) problems.push(`attempt ${a.attempt} started from ${a.from}, the one before stopped at ${before}`);
  }
  const seen = new Set(attempts.flatMap((a) => a.printed));
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length) problems.push(`never counted: ${missing.join(', ')}`);
  if (!attempts.at(-1)!.done) problems.push('the last attempt did not finish the count');
  return problems;
}
