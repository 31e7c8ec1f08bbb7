import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isGone } from './proc.js';
import { BIN, sleep } from './run.js';

/**
 * A node crash mid-job: starts kickstart with a job that records its pid in
 * `dir`, waits for the job, then kill -9s kickstart and the job. The start
 * marker of that attempt stays behind.
 */
export async function crash(dir: string, args: string[]): Promise<void> {
  const pidFile = join(dir, 'job.pid');
  const child = execa(process.execPath, [BIN, ...args, '--', 'sh', '-c', `echo $$ > ${pidFile}; exec sleep 60`], { reject: false, stdin: 'ignore' });
  for (let i = 0; i < 400 && !existsSync(pidFile); i++) await sleep(25);
  expect(existsSync(pidFile)).toBe(true);
  child.kill('SIGKILL');
  await child;
  // The node went down with everything on it (ks-exec may have ended the job already: see orphan.test.ts).
  const job = Number(readFileSync(pidFile, 'utf8'));
  try {
    process.kill(job, 'SIGKILL');
  } catch {
    // gone
  }
  for (let i = 0; i < 100 && !isGone(job); i++) await sleep(20);
}
