import { clockMs, type DeadlineSource, type EndLookup } from './types.js';

/**
 * `qstat -f $PBS_JOBID`: indented `key = value` lines. Torque/Moab give
 * Walltime.Remaining (seconds); PBS Pro gives Resource_List.walltime and
 * resources_used.walltime (HH:MM:SS). No walltime at all: no limit.
 */
export function parseQstat(out: string, now: number): EndLookup | undefined {
  if (!/^\s*Job Id:/m.test(out)) return undefined;
  const field = (k: string) => new RegExp(`^\\s*${k.replace('.', '\\.')}\\s*=\\s*(\\S+)`, 'm').exec(out)?.[1];
  const remaining = field('Walltime.Remaining');
  if (remaining !== undefined) {
    const ms = /^\d+$/.test(remaining) ? Number(remaining) * 1000 : clockMs(remaining);
    if (ms !== undefined) return { source: 'pbs-qstat', end: now + ms };
  }
  const limit = field('Resource_List.walltime');
  if (limit === undefined) return { source: 'pbs-qstat', end: null };
  const limitMs = clockMs(limit);
  if (limitMs === undefined) return undefined;
  const used = clockMs(field('resources_used.walltime') ?? '0:00') ?? 0;
  return { source: 'pbs-qstat', end: now + Math.max(0, limitMs - used) };
}

export const pbs: DeadlineSource = {
  name: 'pbs',
  applies: (env) => Boolean(env.PBS_JOBID),
  async lookup(ctx) {
    const out = await ctx.run('qstat', ['-f', ctx.env.PBS_JOBID]);
    return out === undefined ? undefined : parseQstat(out, ctx.now());
  },
};
