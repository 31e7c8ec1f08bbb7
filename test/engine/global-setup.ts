import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The engine project: a real single-node Slurm cluster on 127.0.0.1
 * (scripts/slurm/slurm-cluster.sh), installed from Debian if missing.
 * Exports SLURM_CONF into process.env (which the test workers inherit), so
 * sbatch, squeue, scontrol and scancel reach it; stops it in teardown.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'scripts/slurm/slurm-cluster.sh');

export default function setup(): () => void {
  execFileSync('bash', [script, 'install'], { stdio: 'inherit' });
  // The munge socket lives in this folder: keep its path short.
  const dir = mkdtempSync(path.join(tmpdir().length <= 40 ? tmpdir() : '/tmp', 'ks-slurm-'));
  execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.env.SLURM_CONF = path.join(dir, 'slurm.conf');
  process.env.KICKSTART_TEST_SLURM_DIR = dir;
  return () => {
    try {
      execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
