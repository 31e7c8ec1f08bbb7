import { constants, open } from 'node:fs/promises';
import { execa } from 'execa';
import { flux } from './flux.js';
import { htcondor } from './htcondor.js';
import { lsf } from './lsf.js';
import { pbs } from './pbs.js';
import { slurm } from './slurm.js';
import type { DeadlineSource, EndLookup, SourceContext } from './types.js';

export type { EndLookup } from './types.js';

/** First match wins: the order in the README's table. */
export const SOURCES: DeadlineSource[] = [slurm, pbs, lsf, flux, htcondor];

export interface LookupOptions {
  env: Record<string, string>;
  /** The whole look-up gives up after this long (the job start waits for it). */
  timeoutMs: number;
  /** A look-up while the job runs: sources that go stale (SLURM_JOB_END_TIME) are skipped. */
  refresh?: boolean;
  /**
   * Told each command's pid: kickstart's reaper must leave it to Node
   * (process/reaper.ts nodeChild). Passed in rather than imported: this
   * module is bundled apart, and would hold a registry of its own.
   */
  spawned?: (pid: number) => { unmark(): void };
}

export type LookupResult =
  | { found: true; lookup: EndLookup }
  /** No batch system in the environment, or none of its look-ups answered. */
  | { found: false; why: string };

/** Asks the batch system this job runs under for its end time, within `timeoutMs`. */
export async function lookupEnd(o: LookupOptions): Promise<LookupResult> {
  const applicable = SOURCES.filter((s) => s.applies(o.env));
  if (applicable.length === 0) return { found: false, why: 'not inside a batch job (no SLURM_JOB_ID, PBS_JOBID, LSB_JOBID, FLUX_JOB_ID or _CONDOR_JOB_AD)' };
  const controller = new AbortController();
  const deadline = Date.now() + o.timeoutMs;
  const ctx: SourceContext = {
    env: o.env,
    now: Date.now,
    async run(file, args, extra) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      const sub = execa(file, args, {
        env: { ...o.env, ...extra },
        extendEnv: false,
        timeout: left,
        cancelSignal: controller.signal,
        reject: false,
        stdin: 'ignore',
        stripFinalNewline: true,
      });
      // kickstart reaps every child as the subreaper: this one is libuv's.
      const mark = sub.pid !== undefined ? o.spawned?.(sub.pid) : undefined;
      try {
        const r = await sub;
        return r.exitCode === 0 && !r.timedOut ? r.stdout : undefined;
      } finally {
        mark?.unmark();
      }
    },
    readFile: readRegularFile,
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(undefined);
    }, o.timeoutMs);
  });
  try {
    for (const s of applicable) {
      const got = await Promise.race([s.lookup(ctx, o.refresh ?? false).catch(() => undefined), timeout]);
      if (got) return { found: true, lookup: got };
      if (Date.now() >= deadline) return { found: false, why: `the ${s.name} look-up took longer than ${o.timeoutMs} ms` };
    }
    return { found: false, why: `no answer from ${applicable.map((s) => s.name).join(', ')} (command missing, failed, or output not understood)` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A job ad is a regular file. Anything else (a FIFO nobody writes) is not
 * read: a read that never returns would hold a thread, and the process
 * with it, after the 2 s are long over.
 */
async function readRegularFile(path: string): Promise<string | undefined> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
  if (!fh) return undefined;
  try {
    if (!(await fh.stat()).isFile()) return undefined;
    return await fh.readFile('utf8');
  } catch {
    return undefined;
  } finally {
    await fh.close().catch(() => {});
  }
}
