import { describe, expect, it } from 'vitest';
import { environmentBlock, isSecretName, MASK } from '../../src/record/environment.js';

describe('environmentBlock', () => {
  it('sorts by name and drops unset variables', () => {
    const env = environmentBlock({ b: '2', _: 'x', A: '1', Z: undefined, HOME: '/root' });
    expect(Object.keys(env)).toEqual(['A', 'HOME', '_', 'b']);
  });

  it('masks secret-looking names', () => {
    for (const name of [
      'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'API_KEY', 'apikey', 'GITHUB_TOKEN',
      'PGPASSWORD', 'MYSQL_PASSWD', 'GOOGLE_APPLICATION_CREDENTIALS', 'HTTP_AUTH', 'OAUTH_CLIENT',
      'KICKSTART_S3_SECRET', 'SSH_PRIVATE_KEY',
    ]) expect(isSecretName(name), name).toBe(true);
    const env = environmentBlock({ API_KEY: 'abc', PATH: '/bin' });
    expect(env).toEqual({ API_KEY: MASK, PATH: '/bin' });
  });

  it('keeps well-known names that only look secret', () => {
    for (const name of ['GIT_AUTHOR_NAME', 'XAUTHORITY', 'SSH_AUTH_SOCK', 'PWD', 'OLDPWD', 'KICKSTART_METADATA', 'PATH']) {
      expect(isSecretName(name), name).toBe(false);
    }
  });

  it('masks passwords inside URLs whatever the name', () => {
    const env = environmentBlock({
      DATABASE_URL: 'postgres://app:s3cr3t@db:5432/x',
      http_proxy: 'http://u:p@proxy:3128/',
      PLAIN_URL: 'https://example.org/a:b@c',
    });
    expect(env.DATABASE_URL).toBe('postgres://app:***@db:5432/x');
    expect(env.http_proxy).toBe('http://u:***@proxy:3128/');
    expect(env.PLAIN_URL).toBe('https://example.org/a:b@c');
  });
});
