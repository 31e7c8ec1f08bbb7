import { userInfo } from 'node:os';
import { defineKind, type KindParse } from '../kind.js';
import { pathSegments, splitUrl } from './url-parts.js';

/** The parts of sftp://[user@]host[:port]/abs/path. */
export interface SftpTarget {
  /** undefined: the local user name, as ssh does. */
  user?: string;
  host: string;
  port: number;
  /** Absolute directory on the server, decoded, without trailing '/'. */
  root: string;
}

/** Pure: the parts of an sftp:// URL, or why it is wrong and how to write it. */
export function parseSftpUrl(url: string): KindParse<SftpTarget> {
  const u = splitUrl(url, 'sftp');
  if (typeof u === 'string') return { ok: false, why: `${u}; use sftp://[user@]host[:port]/abs/path` };
  if (u.userinfo?.includes(':')) return { ok: false, why: 'a password never goes in the URL; kickstart logs in with SSH keys (an agent, --ssh-key FILE or ~/.ssh/id_*)' };
  if (u.userinfo === '') return { ok: false, why: "empty user name before '@'; use sftp://[user@]host[:port]/abs/path" };
  const segs = pathSegments(u.path);
  if (typeof segs === 'string') return { ok: false, why: segs };
  if (segs.length === 0) return { ok: false, why: 'needs an absolute directory on the server: sftp://[user@]host[:port]/abs/path' };
  const user = u.userinfo ? decodeURIComponent(u.userinfo) : undefined;
  const host = u.host.toLowerCase();
  const port = u.port ?? 22;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const clean = `sftp://${user ? `${encodeURIComponent(user)}@` : ''}${hostPart}${port === 22 ? '' : `:${port}`}/${segs.map(encodeURIComponent).join('/')}`;
  return { ok: true, url: clean, target: { user, host, port, root: '/' + segs.join('/') } };
}

/**
 * sftp://[user@]host[:port]/abs/path: a directory on a login or data-transfer
 * node over SSH. Keys from the agent, --ssh-key or ~/.ssh/id_*; host keys from
 * known_hosts, never trusted on first sight; never a password.
 */
export const sftpKind = defineKind<SftpTarget>({
  scheme: 'sftp',
  example: 'sftp://[user@]host[:port]/abs/path',
  about: 'a directory on an SSH server (login or data-transfer node); keys from the agent (SSH_AUTH_SOCK), --ssh-key or ~/.ssh/id_*, host checked against known_hosts; temp name + rename',
  options: [
    { key: 'sshKey', flag: 'ssh-key', value: 'file', help: 'SSH private key for sftp:// (tried after the agent; default ~/.ssh/id_ed25519, id_ecdsa, id_rsa)' },
    { key: 'sshKnownHosts', flag: 'ssh-known-hosts', value: 'file', help: 'known_hosts for sftp:// (default ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts)' },
  ],
  parse: parseSftpUrl,
  async open(url, t, o) {
    const { openSftpSite } = await import('../sftp.js');
    const user = t.user ?? (process.env.USER || userInfo().username);
    return openSftpSite(url, { host: t.host, port: t.port, user, root: t.root, keyFile: o.sshKey, knownHosts: o.sshKnownHosts });
  },
});
