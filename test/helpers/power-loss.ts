import { isGone, procStat, tree } from './proc.js';
import { sleep } from './run.js';

/**
 * Power loss: SIGKILL to every process of the tree at once, each group too.
 * Resolves when all are gone, with the pids it killed and when.
 */
export async function killEverything(root: number): Promise<{ pids: number[]; at: number; left: number[] }> {
  const pids = tree(root);
  const groups = new Set(pids.map((p) => procStat(p)?.pgrp).filter((g): g is number => g !== undefined && g > 1));
  const at = Date.now();
  for (const g of groups) try { process.kill(-g, 'SIGKILL'); } catch { /* gone */ }
  for (const p of pids) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  const until = performance.now() + 5000;
  while (pids.some((p) => !isGone(p)) && performance.now() < until) await sleep(20);
  return { pids, at, left: pids.filter((p) => !isGone(p)) };
}
