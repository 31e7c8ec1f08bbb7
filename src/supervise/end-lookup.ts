import { nodeChild } from '../process/reaper.js';
import type { LookupOptions, LookupResult } from './deadline-sources/index.js';
import { PlanError } from './plan-error.js';

/** How long an attempt's start waits for the batch system's end time. */
export const START_LOOKUP_MS = 2_000;

export type EndLookupFn = (o: LookupOptions) => Promise<LookupResult>;

/** The batch systems' end-time look-up, loaded apart (dist/deadlines.cjs): execa comes only with --max-walltime auto. */
export async function loadLookup(): Promise<EndLookupFn> {
  return (await import('./deadline-sources/index.js')).lookupEnd;
}

/** --require-deadline: the batch system must answer before anything runs; a usage error (PlanError) otherwise. */
export async function requireDeadline(env: Record<string, string>): Promise<void> {
  const lookupEnd = await loadLookup();
  const got = await lookupEnd({ env, timeoutMs: START_LOOKUP_MS, spawned: nodeChild });
  if (!got.found) throw new PlanError(`--require-deadline: no end time from a batch system (${got.why}); run inside a batch job, or drop --require-deadline`);
}
