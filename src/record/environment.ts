/**
 * The `environment` block: every variable, sorted by name as Pegasus does
 * (strcmp order; JS string order agrees for the ASCII names environments use),
 * with secrets masked because records are shipped to shared workflow logs.
 */

/**
 * Masking rule: a name is secret when, upper-cased, it contains SECRET,
 * TOKEN, PASSWORD, PASSWD, KEY, CREDENTIAL or AUTH. Substring matching is
 * deliberate: it catches AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, API_KEY,
 * APIKEY, GITHUB_TOKEN, PGPASSWORD, KICKSTART_S3_SECRET (our own variables get
 * no exemption: they can carry credentials too). Over-masking costs a value
 * in a log; under-masking leaks a credential, so the only exceptions are
 * well-known names that are not secrets: AUTHOR/AUTHORITY (GIT_AUTHOR_NAME,
 * XAUTHORITY) and SSH_AUTH_SOCK, a socket path.
 */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH(?!OR)/;
const NOT_SECRET = new Set(['SSH_AUTH_SOCK']);

export const MASK = '***';

export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return !NOT_SECRET.has(upper) && SECRET_NAME.test(upper);
}

// "scheme://user:password@host": the password part, whatever the name says
// (DATABASE_URL, PIP_INDEX_URL, http_proxy...).
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]*@/gi;

export function maskValue(name: string, value: string): string {
  if (isSecretName(name)) return MASK;
  return value.replace(URL_PASSWORD, `$1${MASK}@`);
}

export function environmentBlock(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value !== undefined) out[name] = maskValue(name, value);
  }
  return out;
}
