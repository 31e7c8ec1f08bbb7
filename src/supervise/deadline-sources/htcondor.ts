import type { DeadlineSource, EndLookup } from './types.js';

/**
 * The job ad in $_CONDOR_JOB_AD (`Name = value` lines). HTCondor has no
 * wall-clock end in general; AllowedExecuteDuration (seconds; the job is put
 * on hold past it) from the current execution's start makes one. Without it:
 * no limit.
 */
export function parseJobAd(text: string, now: number): EndLookup | undefined {
  if (!/^\s*\w+\s*=/m.test(text)) return undefined;
  const attr = (k: string) => new RegExp(`^\\s*${k}\\s*=\\s*(\\d+)\\s*$`, 'mi').exec(text)?.[1];
  const allowed = attr('AllowedExecuteDuration');
  if (allowed === undefined) return { source: 'htcondor-job-ad', end: null };
  const started = attr('JobCurrentStartExecutingDate') ?? attr('JobCurrentStartDate');
  const from = started !== undefined ? Number(started) * 1000 : now;
  return { source: 'htcondor-job-ad', end: from + Number(allowed) * 1000 };
}

export const htcondor: DeadlineSource = {
  name: 'htcondor',
  applies: (env) => Boolean(env._CONDOR_JOB_AD),
  async lookup(ctx) {
    const text = await ctx.readFile(ctx.env._CONDOR_JOB_AD);
    return text === undefined ? undefined : parseJobAd(text, ctx.now());
  },
};
