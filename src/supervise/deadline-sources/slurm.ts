import { clockMs, type DeadlineSource, type EndLookup } from './types.js';

/** Slurm's end for a job without a limit: the start plus a year (365 days). */
const YEAR_MS = 365 * 86_400_000;

/** SLURM_JOB_END_TIME (Slurm >= 23.02): Unix seconds, set once at the start and stale after `scontrol update`. */
export function parseSlurmEnv(env: Record<string, string>): EndLookup | undefined {
  const end = env.SLURM_JOB_END_TIME;
  if (!end || !/^\d+$/.test(end)) return undefined;
  const start = Number(env.SLURM_JOB_START_TIME);
  const ms = Number(end) * 1000;
  return { source: 'slurm-env', end: start > 0 && ms - start * 1000 >= YEAR_MS ? null : ms };
}

/**
 * `squeue -h -j ID -o '%e %l'` with SLURM_TIME_FORMAT=%s: the end in Unix
 * seconds and the time limit ("1:00:00", "2-00:00:00", "UNLIMITED").
 */
export function parseSqueue(out: string): EndLookup | undefined {
  const [end, limit] = out.trim().split(/\s+/);
  if (limit === 'UNLIMITED' || limit === 'INFINITE') return { source: 'slurm-squeue', end: null };
  if (!end || !/^\d+$/.test(end) || limit === undefined || clockMs(limit) === undefined) return undefined;
  return { source: 'slurm-squeue', end: Number(end) * 1000 };
}

/**
 * `scontrol show job -o ID`: one line of Key=Value pairs. EndTime is Unix
 * seconds with SLURM_TIME_FORMAT=%s, else local ISO time (2026-12-04T03:01:00).
 */
export function parseScontrol(out: string): EndLookup | undefined {
  const field = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S+)`).exec(out)?.[1];
  const limit = field('TimeLimit');
  const end = field('EndTime');
  if (limit === 'UNLIMITED' || limit === 'INFINITE') return { source: 'slurm-scontrol', end: null };
  if (!end || limit === undefined) return undefined;
  const ms = /^\d+$/.test(end) ? Number(end) * 1000 : Date.parse(end);
  if (!Number.isFinite(ms)) return undefined;
  return { source: 'slurm-scontrol', end: ms };
}

export const slurm: DeadlineSource = {
  name: 'slurm',
  applies: (env) => Boolean(env.SLURM_JOB_ID || env.SLURM_JOBID),
  async lookup(ctx, refresh) {
    // The variable does not follow `scontrol update`: only the first look-up trusts it.
    const fromEnv = refresh ? undefined : parseSlurmEnv(ctx.env);
    if (fromEnv) return fromEnv;
    const id = ctx.env.SLURM_JOB_ID || ctx.env.SLURM_JOBID;
    const env = { SLURM_TIME_FORMAT: '%s' };
    const q = await ctx.run('squeue', ['-h', '-j', id, '-o', '%e %l'], env);
    const fromSqueue = q === undefined ? undefined : parseSqueue(q);
    if (fromSqueue) return fromSqueue;
    const s = await ctx.run('scontrol', ['show', 'job', '-o', id], env);
    return s === undefined ? undefined : parseScontrol(s);
  },
};
