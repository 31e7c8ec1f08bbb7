import { createHash, createHmac } from 'node:crypto';

/**
 * Pure: OpenSSH known_hosts matching, so an sftp:// site trusts exactly the
 * hosts `ssh` would trust and never a new one silently. Handles plain and
 * hashed (`|1|salt|hash`) names, `[host]:port` for other ports than 22,
 * comma lists, `*`/`?` patterns, `!` negation and @revoked lines.
 */
export interface KnownKey {
  type: string;
  /** base64 of the public key blob, as in the file. */
  blob: string;
}

export type HostCheck =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'mismatch' | 'revoked'; message: string };

interface Line {
  marker?: string;
  hosts: string;
  key: KnownKey;
}

function parse(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    const marker = f[0].startsWith('@') ? f.shift() : undefined;
    if (f.length < 3) continue;
    out.push({ marker, hosts: f[0], key: { type: f[1], blob: f[2] } });
  }
  return out;
}

/** The name ssh looks up: `host` on port 22, else `[host]:port`. */
export function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function glob(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i');
  return re.test(name);
}

function matches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  let hit = false;
  for (const p of hosts.split(',')) {
    if (p.startsWith('!')) {
      if (glob(p.slice(1), name)) return false;
    } else if (glob(p, name)) hit = true;
  }
  return hit;
}

/** Keys known_hosts holds for `name` (not the revoked ones): the host key types to ask the server for. */
export function knownKeys(text: string, name: string): KnownKey[] {
  return parse(text)
    .filter((l) => l.marker === undefined && matches(l.hosts, name))
    .map((l) => l.key);
}

/** SHA256:... as `ssh-keygen -l` prints it. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/**
 * Checks the key the server showed against known_hosts (`texts`: the files'
 * contents, in order). The message of a refusal is one line that says how to
 * accept the host.
 */
export function checkHostKey(texts: { file: string; text: string }[], host: string, port: number, shown: Buffer): HostCheck {
  const name = hostName(host, port);
  const blob = shown.toString('base64');
  const lines = texts.flatMap((t) => parse(t.text).filter((l) => matches(l.hosts, name)));
  if (lines.some((l) => l.marker === '@revoked' && l.key.blob === blob)) {
    return { ok: false, reason: 'revoked', message: `host key of ${name} (${fingerprint(shown)}) is marked @revoked in known_hosts; refusing to connect` };
  }
  const plain = lines.filter((l) => l.marker === undefined);
  if (plain.some((l) => l.key.blob === blob)) return { ok: true };
  const file = texts[0]?.file ?? '~/.ssh/known_hosts';
  const scan = `ssh-keyscan ${port === 22 ? '' : `-p ${port} `}${host} >> ${file}`;
  if (plain.length > 0) {
    return {
      ok: false,
      reason: 'mismatch',
      message: `host key of ${name} (${fingerprint(shown)}) differs from the one in known_hosts: someone may be intercepting the connection, or the host was reinstalled; check with its admins, then fix the line with: ssh-keygen -R '${name}' -f ${file} && ${scan}`,
    };
  }
  return {
    ok: false,
    reason: 'unknown',
    message: `host ${name} is not in known_hosts (${texts.map((t) => t.file).join(', ') || file}); if its key fingerprint is ${fingerprint(shown)}, accept it with: ${scan} (or --ssh-known-hosts FILE)`,
  };
}

/** The server host key algorithms that fit known key types (RSA keys sign with SHA-2 first). */
export function hostKeyAlgorithms(keys: KnownKey[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const algos = k.type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [k.type];
    for (const a of algos) if (!out.includes(a)) out.push(a);
  }
  return out;
}
