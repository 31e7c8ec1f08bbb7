import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The faults project: one real S3 server (scripts/s3/s3-server.sh) for the
 * whole run, its endpoint and credentials exported to the test workers, and
 * a figures file every test appends to; teardown prints the figures as one
 * block on stdout (they go into the README's Reliability section) and stops
 * the server. KICKSTART_FAULTS_S3=0 runs the file:// parts only.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'scripts/s3/s3-server.sh');

export default function setup(): () => void {
  const figures = path.join(mkdtempSync(path.join(tmpdir(), 'kickstart-faults-')), 'figures.txt');
  writeFileSync(figures, '');
  process.env.KICKSTART_FAULTS_FIGURES = figures;
  let dir: string | undefined;
  if (process.env.KICKSTART_FAULTS_S3 !== '0') {
    dir = mkdtempSync(path.join(tmpdir(), 'kickstart-faults-s3-'));
    execFileSync('bash', [script, 'install'], { stdio: 'inherit' });
    execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    for (const line of readFileSync(path.join(dir, 's3.env'), 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (m) process.env[m[1]] = m[2];
    }
    for (const k of ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'S3_BUCKET']) {
      if (!process.env[k]) throw new Error(`${dir}/s3.env has no ${k}`);
    }
  }
  return () => {
    try {
      if (existsSync(figures)) process.stdout.write(`\n== kickstart reliability figures\n${readFileSync(figures, 'utf8')}\n`);
      rmSync(path.dirname(figures), { recursive: true, force: true });
    } finally {
      if (dir) {
        try {
          execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  };
}
