import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Client, SFTPWrapper, ConnectConfig } from 'ssh2';
import { checkHostKey, hostKeyAlgorithms, hostName, knownKeys } from './known-hosts.js';
import { SiteError } from './site.js';

export interface SshOptions {
  host: string;
  port: number;
  user: string;
  /** --ssh-key FILE: tried after the agent; else ~/.ssh/id_{ed25519,ecdsa,rsa}. */
  keyFile?: string;
  /** --ssh-known-hosts FILE: else ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts. */
  knownHosts?: string;
}

export interface SshSession {
  client: Client;
  sftp: SFTPWrapper;
  /** The server has posix-rename@openssh.com (rename over an existing name, atomically). */
  posixRename: boolean;
  /** The server has fsync@openssh.com. */
  fsync: boolean;
  /**
   * An SFTP call as a promise that also fails when the connection does:
   * ssh2 never answers a request sent on a channel that has just closed.
   */
  call<T = void>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T>;
  /** False once the connection or its channel has dropped. */
  alive(): boolean;
}

type Ssh2 = typeof import('ssh2');
let lib: Promise<Ssh2> | undefined;
/** ssh2 is loaded on the first sftp:// call only (dist/ssh2.cjs, the binary's ssh2 part). */
function loadSsh2(): Promise<Ssh2> {
  return (lib ??= import('ssh2').then((m) => ((m as { default?: Ssh2 }).default ?? m) as Ssh2));
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

function knownHostsFiles(o: SshOptions): { file: string; text: string }[] {
  const files = o.knownHosts ? [o.knownHosts] : [path.join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
  const out: { file: string; text: string }[] = [];
  for (const file of files) {
    try {
      out.push({ file, text: readFileSync(file, 'utf8') });
    } catch (err) {
      if (o.knownHosts) throw new SiteError('fatal', `--ssh-known-hosts ${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}; give a readable known_hosts file`);
    }
  }
  // The user's own file first, so that the hint names it even when it does not exist yet.
  if (!o.knownHosts && !out.some((t) => t.file === files[0])) out.unshift({ file: files[0], text: '' });
  return out;
}

/** Key sources in the order ssh tries them: the agent, then the key file(s). Never a password. */
function authMethods(o: SshOptions): { methods: NonNullable<ConnectConfig['authHandler']>; tried: string[] } {
  const methods: { type: string; username: string; agent?: string; key?: Buffer }[] = [];
  const tried: string[] = [];
  if (process.env.SSH_AUTH_SOCK) {
    methods.push({ type: 'agent', username: o.user, agent: process.env.SSH_AUTH_SOCK });
    tried.push('the agent (SSH_AUTH_SOCK)');
  }
  const files = o.keyFile ? [o.keyFile] : DEFAULT_KEYS.map((k) => path.join(homedir(), '.ssh', k)).filter((f) => existsSync(f));
  for (const f of files) {
    let key: Buffer;
    try {
      key = readFileSync(f);
    } catch (err) {
      throw new SiteError('fatal', `--ssh-key ${f}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}; give a readable private key file`);
    }
    if (/ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(key.toString('latin1', 0, 4096)) || isEncryptedOpenSsh(key)) {
      if (o.keyFile) throw new SiteError('fatal', `--ssh-key ${f} is protected by a passphrase; load it into an agent (ssh-add ${f}) and set SSH_AUTH_SOCK instead`);
      continue;
    }
    methods.push({ type: 'publickey', username: o.user, key });
    tried.push(f);
  }
  if (methods.length === 0) {
    throw new SiteError('fatal', `no SSH key for sftp://${o.user}@${o.host}: start an agent (SSH_AUTH_SOCK), give --ssh-key FILE, or create ~/.ssh/id_ed25519`);
  }
  return { methods: methods as unknown as NonNullable<ConnectConfig['authHandler']>, tried };
}

/** An openssh-key-v1 file whose cipher is not "none". */
function isEncryptedOpenSsh(key: Buffer): boolean {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(key.toString('latin1'));
  if (!m) return false;
  const raw = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  const magic = 'openssh-key-v1\0';
  if (raw.toString('latin1', 0, magic.length) !== magic) return false;
  const len = raw.readUInt32BE(magic.length);
  return raw.toString('latin1', magic.length + 4, magic.length + 4 + len) !== 'none';
}

/**
 * One SSH connection with its SFTP channel. Fails with a fatal SiteError
 * for what retrying cannot fix (unknown or changed host key, no key accepted)
 * and a retryable one for the network.
 */
export async function connectSftp(o: SshOptions, signal?: AbortSignal): Promise<SshSession> {
  const ssh2 = await loadSsh2();
  const known = knownHostsFiles(o);
  const { methods, tried } = authMethods(o);
  const name = hostName(o.host, o.port);
  const types = hostKeyAlgorithms(known.flatMap((k) => knownKeys(k.text, name)));
  let refusal: string | undefined;
  const client = new ssh2.Client();
  const where = `sftp://${o.user}@${o.host}${o.port === 22 ? '' : `:${o.port}`}`;
  return new Promise<SshSession>((resolve, reject) => {
    let settled = false;
    const fail = (err: SiteError) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      client.end();
      reject(err);
    };
    const onAbort = () => fail(new SiteError('fatal', 'aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    client.on('error', (err: Error & { level?: string }) => {
      if (refusal) return fail(new SiteError('fatal', `${where}: ${refusal}`, { cause: err }));
      if (err.level === 'client-authentication') {
        return fail(new SiteError('fatal', `${where}: the server accepted none of the keys tried (${tried.join(', ')}); add the public key to ~${o.user}/.ssh/authorized_keys there, or give --ssh-key FILE`, { cause: err }));
      }
      fail(new SiteError('retryable', `${where}: ${err.message.split('\n')[0]}`, { cause: err }));
    });
    client.on('close', () => fail(new SiteError('retryable', `${where}: connection closed during set-up`)));
    client.on('ready', () => {
      client.sftp((err, sftp) => {
        if (err) return fail(new SiteError('retryable', `${where}: no SFTP channel: ${err.message}`, { cause: err }));
        if (settled) return void client.end();
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        const ext = (sftp as unknown as { _extensions: Record<string, string> })._extensions ?? {};
        let dropped: SiteError | undefined;
        const waiting = new Set<(err: SiteError) => void>();
        const drop = (why: string) => {
          dropped ??= new SiteError('retryable', `${where}: ${why}`);
          for (const w of waiting) w(dropped);
          waiting.clear();
        };
        client.on('close', () => drop('connection closed'));
        client.on('error', (e: Error) => drop(e.message.split('\n')[0]));
        sftp.on('close', () => drop('SFTP channel closed'));
        const call = <T>(fn: (cb: (err: Error | null | undefined, v?: T) => void) => void) =>
          new Promise<T>((res, rej) => {
            if (dropped) return rej(dropped);
            const onDrop = (err: SiteError) => rej(err);
            waiting.add(onDrop);
            try {
              fn((err, v) => {
                waiting.delete(onDrop);
                if (err) rej(err);
                else res(v as T);
              });
            } catch (err) {
              waiting.delete(onDrop);
              rej(err);
            }
          });
        resolve({ client, sftp, posixRename: ext['posix-rename@openssh.com'] === '1', fsync: ext['fsync@openssh.com'] === '1', call, alive: () => !dropped });
      });
    });
    client.connect({
      host: o.host,
      port: o.port,
      username: o.user,
      authHandler: methods,
      readyTimeout: 20_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      ...(types.length > 0 ? { algorithms: { serverHostKey: { prepend: types } as never } } : {}),
      hostVerifier: (key: Buffer) => {
        const c = checkHostKey(known, o.host, o.port, key);
        if (!c.ok) refusal = c.message;
        return c.ok;
      },
    });
  });
}
