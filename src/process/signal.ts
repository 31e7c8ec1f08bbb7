import { constants } from 'node:os';
import { jobTree, type TreeQuery, type ProcInfo } from './tree.js';

export type SignalName = keyof typeof constants.signals;

/**
 * Sends `signal` once to every live process of the job tree: one kill() per
 * process group of the job (reaching members forked since the scan), then one
 * per process outside those groups (escapees: setsid, double fork). Nobody
 * gets it twice, which matters for handlers that act on each delivery.
 * ESRCH (gone meanwhile) is normal; other failures are returned to be logged.
 */
export function signalTree(q: TreeQuery, signal: SignalName): { reached: ProcInfo[]; errors: string[] } {
  const errors: string[] = [];
  const send = (target: number): boolean => {
    try {
      process.kill(target, signal);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ESRCH') errors.push(`kill(${target}, ${signal}): ${code}`);
      return false;
    }
  };
  const live = jobTree(q).filter((p) => p.state !== 'Z' && p.state !== 'X');
  const signalled = new Set<number>();
  for (const g of new Set(q.groups)) if (g > 1 && live.some((p) => p.pgrp === g) && send(-g)) signalled.add(g);
  const reached: ProcInfo[] = [];
  for (const p of live) {
    if (signalled.has(p.pgrp) || send(p.pid)) reached.push(p);
  }
  return { reached, errors };
}

/** The live (non-zombie) processes of the job tree. */
export function liveTree(q: TreeQuery): ProcInfo[] {
  return jobTree(q).filter((p) => p.state !== 'Z' && p.state !== 'X');
}
