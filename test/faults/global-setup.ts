import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnvFile } from '../helpers/env-file.js';

/**
 * The faults project: one real S3 server (scripts/s3/s3-server.sh) for the
 * whole run, its endpoint and credentials exported to the test workers, and
 * a figures file every test appends to; teardown prints the figures as one
 * block on stdout (they go into the README's Reliability section) and stops
 * the server; an sshd and an nginx WebDAV (scripts/staging/servers.sh) for
 * the sftp:// and davs:// cases. KICKSTART_FAULTS_S3=0 and
 * KICKSTART_FAULTS_STAGING=0 leave those servers out.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'scripts/s3/s3-server.sh');
const stagingScript = path.join(root, 'scripts/staging/servers.sh');

export default function setup(): () => void {
  const figures = path.join(mkdtempSync(path.join(tmpdir(), 'kickstart-faults-')), 'figures.txt');
  writeFileSync(figures, '');
  process.env.KICKSTART_FAULTS_FIGURES = figures;
  let dir: string | undefined;
  if (process.env.KICKSTART_FAULTS_S3 !== '0') {
    dir = mkdtempSync(path.join(tmpdir(), 'kickstart-faults-s3-'));
    execFileSync('bash', [script, 'install'], { stdio: 'inherit' });
    execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    Object.assign(process.env, readEnvFile(path.join(dir, 's3.env')));
    for (const k of ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'S3_BUCKET']) {
      if (!process.env[k]) throw new Error(`${dir}/s3.env has no ${k}`);
    }
  }
  // sshd and nginx WebDAV for the sftp:// and davs:// cases (under a second each).
  let stagingDir: string | undefined;
  if (process.env.KICKSTART_FAULTS_STAGING !== '0') {
    stagingDir = mkdtempSync(path.join(tmpdir(), 'kickstart-faults-staging-'));
    execFileSync('bash', [stagingScript, 'install'], { stdio: 'inherit' });
    execFileSync('bash', [stagingScript, 'start', stagingDir], { stdio: ['ignore', 'ignore', 'inherit'] });
    Object.assign(process.env, readEnvFile(path.join(stagingDir, 'staging.env')));
    process.env.KICKSTART_WEBDAV_USER = process.env.DAV_USER;
    process.env.KICKSTART_WEBDAV_PASSWORD = process.env.DAV_PASSWORD;
  }
  return () => {
    if (stagingDir) {
      execFileSync('bash', [stagingScript, 'stop', stagingDir], { stdio: ['ignore', 'ignore', 'inherit'] });
      rmSync(stagingDir, { recursive: true, force: true });
    }
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
