import { defineKind } from '../kind.js';
import { redactS3 } from '../s3-redact.js';

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** s3://bucket/prefix: any S3 service; credentials from the standard AWS chain, never the URL. */
export const s3Kind = defineKind<{ bucket: string; prefix: string }>({
  scheme: 's3',
  example: 's3://bucket/prefix',
  about: 'an S3 bucket (AWS, Ceph RGW, MinIO...); credentials from the AWS chain (AWS_ACCESS_KEY_ID, AWS_PROFILE...)',
  options: [{ key: 's3Endpoint', flag: 's3-endpoint', value: 'url', help: 'S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)' }],
  parse(url) {
    const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(url);
    const authority = m?.[1] ?? '';
    if (authority.includes('@')) {
      return { ok: false, why: 'credentials do not belong in the URL; use the AWS credential chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, ...)' };
    }
    if (!BUCKET_RE.test(authority)) return { ok: false, why: `'${authority}' is not a bucket name; use s3://bucket/prefix` };
    const prefix = (m?.[2] ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix.split('/').some((s, i, all) => (s === '' && all.length > 1) || s === '.' || s === '..')) {
      return { ok: false, why: `prefix '${prefix}' has an empty, '.' or '..' segment` };
    }
    return { ok: true, url: `s3://${authority}${prefix ? '/' + prefix : ''}`, target: { bucket: authority, prefix } };
  },
  async open(url, t, o) {
    const { openS3Site } = await import('../s3.js');
    const endpoint = o.s3Endpoint || process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
    return openS3Site(url, { bucket: t.bucket, prefix: t.prefix, endpoint });
  },
  redact: redactS3,
});
