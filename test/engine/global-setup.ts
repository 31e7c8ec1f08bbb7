import path from 'node:path';
import { startService } from '../helpers/service.js';

/**
 * The engine project: a real single-node Slurm cluster on 127.0.0.1
 * (scripts/slurm/slurm-cluster.sh), installed from Debian if missing.
 * Exports SLURM_CONF into process.env (which the test workers inherit), so
 * sbatch, squeue, scontrol and scancel reach it; stops it in teardown.
 */
export default function setup(): () => void {
  // The munge socket lives in the cluster's folder: keep its path short.
  const slurm = startService({ script: 'scripts/slurm/slurm-cluster.sh', label: 'slurm', shortPath: true });
  process.env.SLURM_CONF = path.join(slurm.dir, 'slurm.conf');
  process.env.KICKSTART_TEST_SLURM_DIR = slurm.dir;
  return slurm.stop;
}
