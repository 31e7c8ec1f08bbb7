import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Pure (given env and a netrc text): the Authorization header for a WebDAV
 * host. A bearer token (KICKSTART_WEBDAV_TOKEN) wins over a user and password
 * (KICKSTART_WEBDAV_USER, KICKSTART_WEBDAV_PASSWORD), which win over the
 * netrc entry of the host (NETRC or ~/.netrc, as curl reads it). Credentials
 * never come from the command line or the URL.
 */
export const DAV_ENV = { token: 'KICKSTART_WEBDAV_TOKEN', user: 'KICKSTART_WEBDAV_USER', password: 'KICKSTART_WEBDAV_PASSWORD' } as const;

export interface DavAuth {
  header?: string;
  /** Where it came from, for messages ("KICKSTART_WEBDAV_TOKEN", "netrc ~/.netrc"); never the secret. */
  source?: string;
  /** The secret values, to mask in any text shown. */
  secrets: string[];
}

export function davAuth(host: string, env: NodeJS.ProcessEnv, netrc?: { file: string; text: string }): DavAuth {
  const token = env[DAV_ENV.token];
  if (token) return { header: `Bearer ${token}`, source: DAV_ENV.token, secrets: [token] };
  const user = env[DAV_ENV.user];
  const password = env[DAV_ENV.password];
  if (user && password !== undefined) return basic(user, password, `${DAV_ENV.user}/${DAV_ENV.password}`);
  if (netrc) {
    const e = netrcEntry(netrc.text, host);
    if (e) return basic(e.login, e.password, `netrc ${netrc.file}`);
  }
  return { secrets: [] };
}

function basic(user: string, password: string, source: string): DavAuth {
  const b64 = Buffer.from(`${user}:${password}`).toString('base64');
  return { header: `Basic ${b64}`, source, secrets: [password, b64].filter((s) => s.length >= 4) };
}

/** The login and password netrc gives `host` (its machine line, else default). */
export function netrcEntry(text: string, host: string): { login: string; password: string } | undefined {
  const tokens = text.replace(/^\s*#.*$/gm, '').split(/\s+/).filter(Boolean);
  let current: { machine?: string; login?: string; password?: string } | undefined;
  const entries: (typeof current)[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'machine') entries.push((current = { machine: tokens[++i] }));
    else if (t === 'default') entries.push((current = {}));
    else if (t === 'macdef') break; // macros run to a blank line; nothing after matters to us
    else if (current && (t === 'login' || t === 'password')) current[t] = tokens[++i];
  }
  const hit = entries.find((e) => e?.machine === host) ?? entries.find((e) => e && e.machine === undefined);
  return hit?.login !== undefined && hit.password !== undefined ? { login: hit.login, password: hit.password } : undefined;
}

/** The netrc file to read: $NETRC, else ~/.netrc; undefined when there is none. */
export function readNetrc(env: NodeJS.ProcessEnv): { file: string; text: string } | undefined {
  const file = env.NETRC || path.join(homedir(), '.netrc');
  try {
    return { file, text: readFileSync(file, 'utf8') };
  } catch {
    return undefined;
  }
}

/** Masks every secret in a text (messages, logs). */
export function maskSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}

export interface DavHref {
  /** Decoded path of the resource. */
  path: string;
  collection: boolean;
  size: number;
  mtimeMs: number;
}

/** Pure: the responses of a PROPFIND multistatus body (any namespace prefix). */
export function parseMultistatus(xml: string): DavHref[] {
  const out: DavHref[] = [];
  const tag = (name: string) => new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`, 'i');
  const responses = xml.split(/<(?:[\w-]+:)?response(?:\s[^>]*)?>/i).slice(1);
  for (const r of responses) {
    const href = tag('href').exec(r)?.[1]?.trim();
    if (!href) continue;
    // Only the properties of a 200 propstat count.
    const stats = r.split(/<(?:[\w-]+:)?propstat(?:\s[^>]*)?>/i).slice(1).filter((s) => /<(?:[\w-]+:)?status>[^<]*\s200\s/i.test(s));
    const props = stats.join('');
    const collection = /<(?:[\w-]+:)?collection\s*\/>|<(?:[\w-]+:)?collection>/i.test(props);
    const size = Number(tag('getcontentlength').exec(props)?.[1]?.trim() ?? 0);
    const mod = tag('getlastmodified').exec(props)?.[1]?.trim();
    let p = decodeXml(href);
    if (/^https?:\/\//i.test(p)) p = new URL(p).pathname;
    out.push({ path: safeDecode(p), collection, size: Number.isFinite(size) ? size : 0, mtimeMs: mod ? Date.parse(mod) || 0 : 0 });
  }
  return out;
}

function decodeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Percent-encodes each segment of a path (keeps the '/'). */
export function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}
