import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startService, type Service } from '../helpers/service.js';

/**
 * The faults project: one real S3 server (scripts/s3/s3-server.sh) for the
 * whole run, its endpoint and credentials exported to the test workers, and
 * a figures file every test appends to; teardown prints the figures as one
 * block on stdout (they go into the README's Reliability section) and stops
 * the server; an sshd and an nginx WebDAV (scripts/staging/servers.sh) for
 * the sftp:// and davs:// cases. KICKSTART_FAULTS_S3=0 and
 * KICKSTART_FAULTS_STAGING=0 leave those servers out.
 */
const KEYS = ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'S3_BUCKET'];

export default function setup(): () => void {
  const figures = path.join(mkdtempSync(path.join(tmpdir(), 'kickstart-faults-')), 'figures.txt');
  writeFileSync(figures, '');
  process.env.KICKSTART_FAULTS_FIGURES = figures;
  let s3: Service | undefined;
  if (process.env.KICKSTART_FAULTS_S3 !== '0') {
    s3 = startService({ script: 'scripts/s3/s3-server.sh', label: 'faults-s3', envFile: 's3.env' });
    Object.assign(process.env, s3.env);
    for (const k of KEYS) {
      if (!process.env[k]) throw new Error(`${s3.dir}/s3.env has no ${k}`);
    }
  }
  // sshd and nginx WebDAV for the sftp:// and davs:// cases (under a second each).
  let servers: Service | undefined;
  if (process.env.KICKSTART_FAULTS_STAGING !== '0') {
    servers = startService({ script: 'scripts/staging/servers.sh', label: 'faults-staging', envFile: 'staging.env' });
    Object.assign(process.env, servers.env);
    process.env.KICKSTART_WEBDAV_USER = process.env.DAV_USER;
    process.env.KICKSTART_WEBDAV_PASSWORD = process.env.DAV_PASSWORD;
  }
  return () => {
    servers?.stop();
    try {
      if (existsSync(figures)) process.stdout.write(`\n== kickstart reliability figures\n${readFileSync(figures, 'utf8')}\n`);
      rmSync(path.dirname(figures), { recursive: true, force: true });
    } finally {
      s3?.stop();
    }
  };
}
