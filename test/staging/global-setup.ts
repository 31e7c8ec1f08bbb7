import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEnvFile } from '../helpers/env-file.js';

/**
 * The staging-sftp and staging-dav projects: a real sshd and a real nginx
 * with WebDAV on 127.0.0.1 (scripts/staging/servers.sh), their addresses,
 * keys and CA exported into process.env (SFTP_*, DAV_*, and the WebDAV
 * account as KICKSTART_WEBDAV_USER/PASSWORD), which the test
 * workers inherit; both stopped in teardown.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'scripts/staging/servers.sh');

export default function setup(): () => void {
  const dir = mkdtempSync(path.join(tmpdir(), 'kickstart-staging-'));
  execFileSync('bash', [script, 'install'], { stdio: 'inherit' });
  try {
    execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
    throw err;
  }
  Object.assign(process.env, readEnvFile(path.join(dir, 'staging.env')));
  // The WebDAV account, as a user gives it to kickstart (never on the command line).
  process.env.KICKSTART_WEBDAV_USER = process.env.DAV_USER;
  process.env.KICKSTART_WEBDAV_PASSWORD = process.env.DAV_PASSWORD;
  return () => {
    try {
      execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
