import { startService } from '../helpers/service.js';

/**
 * The s3 project: a real, throw-away S3 server (scripts/s3/s3-server.sh) for
 * the transfer tests. Exports its endpoint, credentials and bucket, and
 * KICKSTART_TEST_STAGING=s3, into process.env (which the test workers
 * inherit); stops the server in teardown. With S3_ENDPOINT already set, that
 * server is used instead and nothing is started.
 */
const KEYS = ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'S3_BUCKET'];

export default function setup(): (() => void) | undefined {
  process.env.KICKSTART_TEST_STAGING = 's3';
  // A server that is already up (CI service, a developer's running gateway):
  // use it as is; every test works under a unique prefix of the bucket.
  if (process.env.S3_ENDPOINT) {
    const missing = KEYS.filter((k) => !process.env[k]);
    if (missing.length > 0) throw new Error(`S3_ENDPOINT is set but ${missing.join(', ')} not: set them too, or unset S3_ENDPOINT to start a server`);
    return undefined;
  }
  const s3 = startService({ script: 'scripts/s3/s3-server.sh', label: 's3', envFile: 's3.env' });
  Object.assign(process.env, s3.env);
  for (const k of KEYS) {
    if (!process.env[k]) {
      s3.stop();
      throw new Error(`${s3.dir}/s3.env has no ${k}`);
    }
  }
  return s3.stop;
}
