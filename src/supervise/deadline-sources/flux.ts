import type { DeadlineSource, EndLookup } from './types.js';

/** What `flux job timeleft` prints for a job without a limit (UINT_MAX). */
const FLUX_INFINITE = 4294967295;

/** `flux job timeleft`: whole seconds left (0: expired; UINT_MAX: no limit). */
export function parseTimeleft(out: string, now: number): EndLookup | undefined {
  const t = out.trim();
  if (!/^\d+$/.test(t)) return undefined;
  const s = Number(t);
  return { source: 'flux-timeleft', end: s >= FLUX_INFINITE ? null : now + s * 1000 };
}

export const flux: DeadlineSource = {
  name: 'flux',
  applies: (env) => Boolean(env.FLUX_JOB_ID),
  async lookup(ctx) {
    const out = await ctx.run('flux', ['job', 'timeleft']);
    return out === undefined ? undefined : parseTimeleft(out, ctx.now());
  },
};
