import { redactS3 as redact } from './s3-redact.js';
import { SiteError, isAbort, oneLine } from './site.js';

/**
 * An S3 call's error as a SiteError (pure): an abort or missing credentials,
 * bucket or permission is fatal, a missing object on get is 'missing', the
 * rest may be tried again. Messages are redacted: no credential an error
 * echoes reaches a log or a record.
 */
export function classify(err: unknown, bucket: string, where: string, signal: AbortSignal | undefined, op: 'put' | 'get' | 'list' | 'remove'): SiteError {
  if (err instanceof SiteError) return err;
  if (isAbort(err, signal)) return new SiteError('fatal', 'aborted', { cause: err });
  const name = errorName(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const msg = redact(oneLine(err));
  if (name === 'CredentialsProviderError') {
    return new SiteError('fatal', `no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`, { cause: err });
  }
  if (name === 'NoSuchBucket') return new SiteError('fatal', `bucket '${bucket}' does not exist`, { cause: err });
  if (op === 'get' && (name === 'NoSuchKey' || name === 'NotFound' || status === 404)) {
    return new SiteError('missing', `${where}: no such object`, { cause: err });
  }
  if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidBucketName'].includes(name) || status === 403) {
    return new SiteError('fatal', `${name || 'HTTP 403'}: ${msg}`, { cause: err });
  }
  return new SiteError('retryable', status ? `HTTP ${status} ${name}: ${msg}` : msg, { cause: err });
}

/** The S3 error code (DeleteObjects' per-key errors carry `Code`), else the error's name. */
export function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown };
    if (typeof e.Code === 'string') return e.Code;
    if (typeof e.name === 'string') return e.name;
  }
  return '';
}
