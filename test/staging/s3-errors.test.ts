import { afterEach, describe, expect, it } from 'vitest';
import { classify, errorName } from '../../src/staging/s3-errors.js';
import { SiteError } from '../../src/staging/site.js';

const sdkError = (name: string, message: string, status?: number) => Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
const at = (err: unknown, op: 'put' | 'get' | 'list' | 'remove' = 'put', signal?: AbortSignal) => {
  const e = classify(err, 'bkt', 's3://bkt/p/job/x', signal, op);
  return [e.kind, e.message];
};

describe("an S3 call's error as a SiteError", () => {
  const before = process.env.AWS_SECRET_ACCESS_KEY;
  afterEach(() => {
    if (before === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = before;
  });

  it('fatal: credentials, bucket, permissions; an abort', () => {
    expect(at(sdkError('CredentialsProviderError', 'Could not load credentials'))).toEqual(['fatal', 'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE']);
    expect(at(sdkError('NoSuchBucket', 'The specified bucket does not exist', 404))).toEqual(['fatal', "bucket 'bkt' does not exist"]);
    expect(at(sdkError('AccessDenied', 'Access Denied', 403))).toEqual(['fatal', 'AccessDenied: Access Denied']);
    expect(at(sdkError('Unknown', 'forbidden', 403))).toEqual(['fatal', 'Unknown: forbidden']);
    const ac = new AbortController();
    ac.abort();
    expect(at(sdkError('AbortError', 'The operation was aborted'), 'put', ac.signal)).toEqual(['fatal', 'aborted']);
  });

  it("missing: only a get's 404", () => {
    expect(at(sdkError('NoSuchKey', 'The specified key does not exist.', 404), 'get')).toEqual(['missing', 's3://bkt/p/job/x: no such object']);
    expect(at(sdkError('NotFound', '', 404), 'get')[0]).toBe('missing');
    expect(at(sdkError('NotFound', 'gone', 404), 'list')).toEqual(['retryable', 'HTTP 404 NotFound: gone']);
  });

  it('the rest may be tried again, with no credential in the message; a SiteError passes as it is', () => {
    process.env.AWS_SECRET_ACCESS_KEY = 'sekrit-value-123';
    expect(at(sdkError('InternalError', 'signature sekrit-value-123 failed', 500))).toEqual(['retryable', 'HTTP 500 InternalError: signature *** failed']);
    expect(at(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toEqual(['retryable', 'ECONNRESET: socket hang up']);
    const own = new SiteError('missing', 'x');
    expect(classify(own, 'b', 'w', undefined, 'get')).toBe(own);
  });

  it("the error's code: DeleteObjects' Code first, then its name", () => {
    expect(errorName({ Code: 'NoSuchKey', name: 'Error' })).toBe('NoSuchKey');
    expect(errorName(sdkError('SlowDown', 'x'))).toBe('SlowDown');
    expect(errorName('text')).toBe('');
  });
});
