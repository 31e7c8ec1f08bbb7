import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The s3 project: a real, throw-away S3 server (scripts/s3/s3-server.sh) for
 * the transfer tests. Exports its endpoint, credentials and bucket, and
 * KICKSTART_TEST_STAGING=s3, into process.env (which the test workers
 * inherit); stops the server in teardown. With S3_ENDPOINT already set, that
 * server is used instead and nothing is started.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'scripts/s3/s3-server.sh');

const KEYS = ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'S3_BUCKET'];

export default function setup(): (() => void) | undefined {
  process.env.KICKSTART_TEST_STAGING = 's3';
  // A server that is already up (CI service, a developer's running gateway):
  // use it as is; every test works under a unique prefix of the bucket.
  if (process.env.S3_ENDPOINT) {
    const missing = KEYS.filter((k) => !process.env[k]);
    if (missing.length > 0) throw new Error(`S3_ENDPOINT is set but ${missing.join(', ')} not: set them too, or unset S3_ENDPOINT to start a server`);
    return undefined;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'kickstart-s3-'));
  execFileSync('bash', [script, 'install'], { stdio: 'inherit' });
  execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = readFileSync(path.join(dir, 's3.env'), 'utf8');
  for (const line of env.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) process.env[m[1]] = m[2];
  }
  for (const k of KEYS) {
    if (!process.env[k]) throw new Error(`${dir}/s3.env has no ${k}`);
  }
  return () => {
    try {
      execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
