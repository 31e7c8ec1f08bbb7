import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ks } from '../helpers/run.js';
import { figure, s3, uniquePrefix } from './lib.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Item 5, secrets: the record's environment block masks every variable whose
 * name looks secret, with -f and after a failure; S3 credentials never show
 * in logs (trace level) or records, whether the transfer works or fails.
 */
const KEYWORDS = ['SECRET', 'TOKEN', 'PASSWORD', 'PASSWD', 'KEY', 'CREDENTIAL', 'AUTH'];
const secretEnv: Record<string, string> = {};
for (const k of KEYWORDS) {
  secretEnv[`FAULTS_${k}`] = `v-${k}-upper-0001`;
  secretEnv[`my_${k.toLowerCase()}_x`] = `v-${k}-lower-0002`;
  secretEnv[`${k}ISH`] = `v-${k}-prefix-0003`;
}
const plainEnv = { FAULTS_PLAIN: 'visible-value-1', FAULTS_DB_URL: 'postgres://alice:hunter2pass@db.example/x' };
let masked = 0;

describe('secrets', () => {
  for (const mode of ['-f', 'failure'] as const) {
    it(`masks secret-looking variables (${mode})`, async () => {
      const dir = tempDir('secrets').dir;
      const argv = mode === '-f' ? ['-f', '--', 'true'] : ['--', 'sh', '-c', 'exit 3'];
      const r = await ks(argv, { cwd: dir, env: { ...secretEnv, ...plainEnv } });
      expect(r.exitCode).toBe(mode === '-f' ? 0 : 3);
      const env = r.record?.environment as Record<string, string>;
      expect(env, r.stdout.slice(0, 500)).toBeTypeOf('object');
      for (const name of Object.keys(secretEnv)) {
        expect(env[name], name).toBe('***');
        masked++;
      }
      expect(env.FAULTS_PLAIN).toBe('visible-value-1');
      expect(env.FAULTS_DB_URL).toBe('postgres://alice:***@db.example/x');
      for (const v of [...Object.values(secretEnv), 'hunter2pass']) expect(r.stdout + r.stderr).not.toContain(v);
    });
  }

  const server = s3();
  it.skipIf(!server)('never shows S3 credentials in logs or records', async () => {
    const s = server!;
    const dir = tempDir('s3creds').dir;
    writeFileSync(path.join(dir, 'c.txt'), 'checkpoint\n');
    const staging = `s3://${s.bucket}/${uniquePrefix('secrets')}`;
    const cases = [
      { name: 'good credentials', key: s.accessKey, secret: s.secretKey, endpoint: s.endpoint, code: 0 },
      { name: 'wrong secret', key: s.accessKey, secret: 'wrong-secret-value-777', endpoint: s.endpoint, code: 20 },
      { name: 'unknown key id', key: 'FAULTSUNKNOWNKEYID99', secret: 'other-secret-value-888', endpoint: s.endpoint, code: 20 },
      { name: 'unreachable endpoint', key: s.accessKey, secret: s.secretKey, endpoint: 'http://127.0.0.1:9', code: 20 },
    ];
    for (const c of cases) {
      const rec = path.join(dir, `${c.name.replace(/ /g, '-')}.yml`);
      const r = await ks(
        ['-f', '--log-level', 'trace', '-l', rec, '--checkpoint', 'c.txt', '--staging', staging, '--job-id', 'creds',
          '--s3-endpoint', c.endpoint, '--transfer-retries', '1', '--transfer-backoff', '10ms', '--', 'true'],
        { cwd: dir, env: { AWS_ACCESS_KEY_ID: c.key, AWS_SECRET_ACCESS_KEY: c.secret, AWS_SESSION_TOKEN: 'session-token-value-999' } },
      );
      expect(r.exitCode, `${c.name}: ${r.stderr.slice(-800)}`).toBe(c.code);
      const everything = r.stdout + r.stderr + readFileSync(rec, 'utf8');
      for (const v of [c.key, c.secret, 'session-token-value-999']) {
        expect(everything, `${c.name} leaks ${v}`).not.toContain(v);
        masked++;
      }
    }
  });

  it('figures', () => {
    figure(`secrets: ${masked} secret values checked masked/absent in records and trace logs (${KEYWORDS.length} keywords, 3 name shapes each; S3 ${server ? 'good, wrong-secret, unknown-key, unreachable' : 'not run'})`);
  });
});
