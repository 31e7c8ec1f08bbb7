import { readFileSync, readdirSync } from 'node:fs';
import { isGone, sleep } from './run.js';

/** Every process below `root` (children lists of /proc, walked recursively), root first. */
export function tree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'latin1');
      parent.set(Number(name), Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, pp] of parent) if (pp === out[i]) out.push(pid);
  return out;
}

function pgrp(pid: number): number | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}

/**
 * Power loss: SIGKILL to every process of the tree at once, each group too.
 * Resolves when all are gone, with the pids it killed and when.
 */
export async function killEverything(root: number): Promise<{ pids: number[]; at: number; left: number[] }> {
  const pids = tree(root);
  const groups = new Set(pids.map(pgrp).filter((g): g is number => g !== undefined && g > 1));
  const at = Date.now();
  for (const g of groups) try { process.kill(-g, 'SIGKILL'); } catch { /* gone */ }
  for (const p of pids) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  const until = performance.now() + 5000;
  while (pids.some((p) => !isGone(p)) && performance.now() < until) await sleep(20);
  return { pids, at, left: pids.filter((p) => !isGone(p)) };
}
