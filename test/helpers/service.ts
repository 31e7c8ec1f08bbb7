import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readEnvFile } from './env-file.js';

/**
 * The one set-up of the real services the suites test against (S3 server,
 * sshd + nginx WebDAV, Slurm): each is a script in scripts/ that answers
 * `install`, `start DIR` and `stop DIR`, and may leave KEY=value lines in
 * DIR/<envFile> for the tests. Global set-ups start them here and stop them
 * in their teardown.
 */
export interface ServiceOptions {
  /** The script, from the repository root (scripts/s3/s3-server.sh). */
  script: string;
  /** Names the service's directory under TMPDIR. */
  label: string;
  /** The env file the script writes into its directory. */
  envFile?: string;
  /** Sockets live in the directory: keep its path short (/tmp when TMPDIR is long). */
  shortPath?: boolean;
}

export interface Service {
  dir: string;
  /** The env file's variables ({} without one). */
  env: Record<string, string>;
  /** Stops the service and removes its directory. */
  stop(): void;
}

const root = path.resolve(import.meta.dirname, '..', '..');

export function startService(o: ServiceOptions): Service {
  const script = path.resolve(root, o.script);
  execFileSync('bash', [script, 'install'], { stdio: 'inherit' });
  const base = o.shortPath && tmpdir().length > 40 ? '/tmp' : tmpdir();
  const dir = mkdtempSync(path.join(base, `kickstart-${o.label}-`));
  const stop = () => {
    try {
      execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    // What started before the failure must not outlive the run.
    try {
      stop();
    } catch {
      /* the start's error is the one to report */
    }
    throw err;
  }
  return { dir, env: o.envFile ? readEnvFile(path.join(dir, o.envFile)) : {}, stop };
}
