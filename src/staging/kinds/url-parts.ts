/** Pure: the pieces of a host-based staging URL (sftp://, davs://), shared by their kinds. */
/** Shared by sftp:// and dav(s)://: authority and path of a URL whose scheme is known. */
export function splitUrl(url: string, scheme: string): { userinfo?: string; host: string; port?: number; path: string } | string {
  const m = new RegExp(`^${scheme}://([^/?#]*)([^?#]*)$`, 'i').exec(url);
  if (!m) return 'a query or fragment has no meaning here';
  let auth = m[1];
  let userinfo: string | undefined;
  const at = auth.lastIndexOf('@');
  if (at >= 0) {
    userinfo = auth.slice(0, at);
    auth = auth.slice(at + 1);
  }
  const hp = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d*))?$/i.exec(auth);
  if (!hp) return `'${auth}' is not a host[:port]`;
  const port = hp[2] ? Number(hp[2]) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return `port '${hp[2]}' is not 1-65535`;
  return { userinfo, host: hp[1].replace(/^\[|\]$/g, ''), port, path: m[2] };
}

/** The path's segments, decoded; an error text for empty, '.' or '..' segments. */
export function pathSegments(p: string): string[] | string {
  const raw = p.replace(/^\/+|\/+$/g, '');
  if (raw === '') return [];
  const segs: string[] = [];
  for (const s of raw.split('/')) {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      return `path segment '${s}' is not valid percent-encoding`;
    }
    if (d === '' || d === '.' || d === '..' || d.includes('/') || d.includes('\0')) return `path '${p}' has an empty, '.' or '..' segment`;
    segs.push(d);
  }
  return segs;
}

