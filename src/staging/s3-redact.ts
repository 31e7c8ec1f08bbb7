const SECRETS = ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ACCESS_KEY_ID'];

/** Removes any credential values that an S3 error message might echo. */
export function redactS3(text: string): string {
  let out = text;
  for (const v of SECRETS) {
    const secret = process.env[v];
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
