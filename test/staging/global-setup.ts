import { startService } from '../helpers/service.js';

/**
 * The staging-sftp and staging-dav projects: a real sshd and a real nginx
 * with WebDAV on 127.0.0.1 (scripts/staging/servers.sh), their addresses,
 * keys and CA exported into process.env (SFTP_*, DAV_*, and the WebDAV
 * account as KICKSTART_WEBDAV_USER/PASSWORD), which the test
 * workers inherit; both stopped in teardown.
 */
export default function setup(): () => void {
  const servers = startService({ script: 'scripts/staging/servers.sh', label: 'staging', envFile: 'staging.env' });
  Object.assign(process.env, servers.env);
  // The WebDAV account, as a user gives it to kickstart (never on the command line).
  process.env.KICKSTART_WEBDAV_USER = process.env.DAV_USER;
  process.env.KICKSTART_WEBDAV_PASSWORD = process.env.DAV_PASSWORD;
  return servers.stop;
}
