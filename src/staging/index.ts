import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openFileSite } from './file.js';
import { openS3Site } from './s3.js';
import type { StagingSite } from './site.js';

export type { ChunkSource, StagingSite, SiteEntry, SiteCallOptions, SiteErrorKind } from './site.js';
export { SiteError, checkKey, oneLine } from './site.js';
export { redact } from './s3.js';

export type StagingTarget =
  | { kind: 'file'; url: string; dir: string }
  | { kind: 's3'; url: string; bucket: string; prefix: string };

export type ParsedStaging = { ok: true; target: StagingTarget } | { ok: false; message: string };

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Pure: parses a staging URL, or says in one line what is wrong and how to write it. */
export function parseStagingUrl(url: string): ParsedStaging {
  const bad = (why: string): ParsedStaging => ({ ok: false, message: `--staging '${safeShow(url)}': ${why}` });
  if (!url) return bad('empty; use file:///abs/dir or s3://bucket/prefix');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    if (!url.startsWith('file:///')) return bad('a file URL needs an absolute path: file:///abs/dir');
    let dir: string;
    try {
      dir = fileURLToPath(url);
    } catch {
      return bad('not a valid file URL; use file:///abs/dir');
    }
    dir = path.resolve(dir);
    return { ok: true, target: { kind: 'file', url: url.replace(/\/+$/, ''), dir } };
  }
  if (scheme === 's3') {
    const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(url);
    const authority = m?.[1] ?? '';
    if (authority.includes('@')) {
      return bad('credentials do not belong in the URL; use the AWS credential chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...)');
    }
    if (!BUCKET_RE.test(authority)) return bad(`'${authority}' is not a bucket name; use s3://bucket/prefix`);
    const prefix = (m?.[2] ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix.split('/').some((s, i, all) => (s === '' && all.length > 1) || s === '.' || s === '..')) {
      return bad(`prefix '${prefix}' has an empty, '.' or '..' segment`);
    }
    const clean = `s3://${authority}${prefix ? '/' + prefix : ''}`;
    return { ok: true, target: { kind: 's3', url: clean, bucket: authority, prefix } };
  }
  return bad(`unsupported scheme${scheme ? ` '${scheme}:'` : ''}; use file:///abs/dir or s3://bucket/prefix`);
}

/** undefined when the URL is usable, else a one-line message naming the problem and the fix. */
export function checkStagingUrl(url: string): string | undefined {
  const p = parseStagingUrl(url);
  return p.ok ? undefined : p.message;
}

export interface OpenSiteOptions {
  /** S3 endpoint; else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS's own. */
  s3Endpoint?: string;
}

/** Opens the adapter for a staging URL; throws a one-line Error for a bad URL. */
export function openSite(url: string, o: OpenSiteOptions = {}): StagingSite {
  const p = parseStagingUrl(url);
  if (!p.ok) throw new Error(p.message);
  const t = p.target;
  if (t.kind === 'file') return openFileSite(t.url, t.dir);
  const endpoint = o.s3Endpoint || process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
  return openS3Site(t.url, { bucket: t.bucket, prefix: t.prefix, endpoint });
}

/** A URL with any user:password@ part masked, for messages. */
export function safeShow(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}
