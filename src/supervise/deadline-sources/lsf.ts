import { clockMs, type DeadlineSource, type EndLookup } from './types.js';

/**
 * `bjobs -noheader -o time_left ID`: "hours:minutes" and a status letter
 * (L: a run limit, E: an estimate, X: exceeded), or hh:mm:ss with -hms;
 * "-" when the job has no run limit. Minute granularity: the end is a
 * minute early at worst, never late.
 */
export function parseBjobs(out: string, now: number): EndLookup | undefined {
  const t = out.trim();
  if (t === '-' || t === '') return t === '-' ? { source: 'lsf-bjobs', end: null } : undefined;
  const m = /^(\d+:\d{2}(?::\d{2})?)\s*([LEX])?$/.exec(t);
  if (!m) return undefined;
  if (m[2] === 'X') return { source: 'lsf-bjobs', end: now };
  // E is the estimated run time (bsub -We), which LSF does not enforce: not an end.
  if (m[2] === 'E') return undefined;
  const ms = clockMs(m[1], 'hh:mm');
  return ms === undefined ? undefined : { source: 'lsf-bjobs', end: now + ms };
}

export const lsf: DeadlineSource = {
  name: 'lsf',
  applies: (env) => Boolean(env.LSB_JOBID),
  async lookup(ctx) {
    const out = await ctx.run('bjobs', ['-noheader', '-o', 'time_left', ctx.env.LSB_JOBID]);
    return out === undefined ? undefined : parseBjobs(out, ctx.now());
  },
};
