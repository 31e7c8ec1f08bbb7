import { readFileSync } from 'node:fs';
import { defineKind, type KindParse, type StagingKind } from '../kind.js';
import { SiteError } from '../site.js';
import { davAuth, maskSecrets, readNetrc } from '../webdav-proto.js';
import { pathSegments, splitUrl } from './url-parts.js';

/** The parts of davs://host[:port]/path (TLS) or dav://host[:port]/path (plain HTTP). */
export interface DavTarget {
  secure: boolean;
  host: string;
  port: number;
  /** Collection path, '/'-led, percent-encoded, no trailing '/' ('' for the server root). */
  root: string;
}

/** Pure: the parts of a dav(s):// URL, or why it is wrong and how to write it. */
export function parseDavUrl(url: string): KindParse<DavTarget> {
  const scheme = /^davs:/i.test(url) ? 'davs' : 'dav';
  const u = splitUrl(url, scheme);
  if (typeof u === 'string') return { ok: false, why: `${u}; use davs://host[:port]/path` };
  if (u.userinfo !== undefined) {
    return { ok: false, why: 'credentials do not belong in the URL; set KICKSTART_WEBDAV_USER and KICKSTART_WEBDAV_PASSWORD, KICKSTART_WEBDAV_TOKEN, or a netrc entry' };
  }
  const segs = pathSegments(u.path);
  if (typeof segs === 'string') return { ok: false, why: segs };
  const secure = scheme === 'davs';
  const host = u.host.toLowerCase();
  const port = u.port ?? (secure ? 443 : 80);
  const root = segs.map((s) => '/' + encodeURIComponent(s)).join('');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { ok: true, url: `${scheme}://${hostPart}${port === (secure ? 443 : 80) ? '' : `:${port}`}${root}`, target: { secure, host, port, root } };
}

/** Loopback hosts, where dav:// may carry credentials (nothing crosses a network). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Masks the WebDAV credentials of the environment in any text. */
export function redactDav(text: string): string {
  return maskSecrets(text, davAuth('', process.env).secrets);
}

/**
 * davs:// and dav://, the names gfal2, davix, FTS and Rucio give WebDAV over
 * HTTPS and HTTP (dCache, EOS, StoRM, ownCloud/Nextcloud, nginx, Apache): a
 * https:// URL could be any web server, and a scheme of its own says this
 * one must speak WebDAV. Credentials from the environment or netrc only.
 */
function davKind(secure: boolean): StagingKind<DavTarget> {
  const scheme = secure ? 'davs' : 'dav';
  return defineKind<DavTarget>({
    scheme,
    example: `${scheme}://host[:port]/path`,
    about: secure
      ? 'a WebDAV share over HTTPS (dCache, EOS, Nextcloud, nginx, Apache); basic auth from KICKSTART_WEBDAV_USER/KICKSTART_WEBDAV_PASSWORD, a bearer token from KICKSTART_WEBDAV_TOKEN, or netrc; PUT to a temp name + MOVE'
      : 'the same over plain HTTP; credentials only to a loopback host',
    ...(secure ? { options: [{ key: 'caFile', flag: 'ca-file', value: 'file', help: "PEM CA certificates trusted for davs:// besides Node's own list (NODE_EXTRA_CA_CERTS works too)" }] } : {}),
    parse: parseDavUrl,
    async open(url, t, o) {
      const { openDavSite } = await import('../webdav.js');
      const auth = davAuth(t.host, process.env, readNetrc(process.env));
      if (!t.secure && auth.header && !isLoopback(t.host)) {
        throw new SiteError('fatal', `${url}: dav:// would send the credentials from ${auth.source} in clear text; use davs://`);
      }
      let ca: string | undefined;
      if (t.secure && o.caFile) {
        try {
          ca = readFileSync(o.caFile, 'utf8');
        } catch (err) {
          throw new SiteError('fatal', `--ca-file ${o.caFile}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}; give a readable PEM file`);
        }
      }
      return openDavSite(url, { secure: t.secure, host: t.host, port: t.port, root: t.root, auth, ca });
    },
    redact: redactDav,
  });
}

export const davsKind = davKind(true);
export const plainDavKind = davKind(false);
