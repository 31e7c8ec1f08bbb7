import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from './run.js';

/**
 * Issue #18, item 6: kickstart killed with SIGKILL at random moments of its
 * run must leave no capture or meta file behind. Each run gets TMPDIR = a
 * directory of its own, so whatever is in it afterwards is kickstart's.
 */
export interface KillLoopResult {
  runs: number;
  /** Runs that the kill hit while kickstart was alive. */
  killed: number;
  /** Files left in the runs' TMPDIRs. */
  leftovers: string[];
  /** The median length of an unkilled run, ms: the span the kill times are drawn from. */
  runMs: number;
  killTimes: number[];
}

function runOnce(args: string[], tmp: string, killAfterMs?: number): Promise<{ killed: boolean; ms: number; code: number | null }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, TMPDIR: tmp, KICKSTART_LOG_LEVEL: undefined },
    });
    const timer = killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', ms: performance.now() - t0, code });
    });
  });
}

/** `runs` kills of `kickstart ARGS`, each at a uniform random moment of an unkilled run's length. */
export async function killLoop(opts: { runs: number; args: string[]; root: string; random?: () => number }): Promise<KillLoopResult> {
  const random = opts.random ?? Math.random;
  const fresh = (i: number | string) => {
    const d = join(opts.root, `tmp-${i}`);
    mkdirSync(d, { recursive: true });
    return d;
  };
  // The span is measured in the same run: a loaded machine stretches it.
  const spans: number[] = [];
  for (let i = 0; i < 3; i++) spans.push((await runOnce(opts.args, fresh(`probe-${i}`))).ms);
  let runMs = spans.sort((a, b) => a - b)[1];
  let killed = 0;
  const killTimes: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const at = Math.round(random() * runMs);
    const r = await runOnce(opts.args, fresh(i), at);
    if (r.killed) {
      killed++;
      killTimes.push(at);
    } else {
      // A run that outlived its kill time: the machine got faster; later kills follow it.
      runMs = r.ms;
    }
  }
  // The job may outlive a killed kickstart for its own few ms (its fds keep the files alive, never their names).
  await new Promise((r) => setTimeout(r, 300));
  const leftovers: string[] = [];
  for (const d of readdirSync(opts.root)) for (const f of readdirSync(join(opts.root, d))) leftovers.push(`${d}/${f}`);
  return { runs: opts.runs, killed, leftovers, runMs, killTimes };
}
