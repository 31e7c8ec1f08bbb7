import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkHostKey, fingerprint, hostKeyAlgorithms, hostName, knownKeys } from '../../src/staging/known-hosts.js';

const key = randomBytes(51);
const other = randomBytes(51);
const b64 = key.toString('base64');

describe('known_hosts', () => {
  it('names hosts as ssh does', () => {
    expect(hostName('h', 22)).toBe('h');
    expect(hostName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
  });

  it('accepts the key of a plain, listed, bracketed or hashed entry', () => {
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[dtn.example.org]:2222').digest('base64')}`;
    for (const [line, host, port] of [
      [`dtn.example.org ssh-ed25519 ${b64}`, 'dtn.example.org', 22],
      [`a,dtn.example.org,b ssh-ed25519 ${b64}`, 'dtn.example.org', 22],
      [`[dtn.example.org]:2222 ssh-ed25519 ${b64}`, 'dtn.example.org', 2222],
      [`*.example.org ssh-ed25519 ${b64}`, 'dtn.example.org', 22],
      [`${hashed} ssh-ed25519 ${b64}`, 'dtn.example.org', 2222],
    ] as const) {
      expect(checkHostKey([{ file: 'kh', text: `# c\n${line}\n` }], host, port, key), line).toEqual({ ok: true });
    }
  });

  it('refuses an unknown host with a one-line ssh-keyscan hint and the fingerprint', () => {
    const c = checkHostKey([{ file: '/home/u/.ssh/known_hosts', text: `other ssh-ed25519 ${b64}\n` }], 'dtn', 2222, key);
    expect(c).toMatchObject({ ok: false, reason: 'unknown' });
    const msg = (c as { message: string }).message;
    expect(msg).toContain(fingerprint(key));
    expect(msg).toContain('ssh-keyscan -p 2222 dtn >> /home/u/.ssh/known_hosts');
    expect(msg).not.toContain('\n');
  });

  it('refuses a changed key, a negated name and a revoked key', () => {
    expect(checkHostKey([{ file: 'kh', text: `dtn ssh-ed25519 ${other.toString('base64')}` }], 'dtn', 22, key)).toMatchObject({ reason: 'mismatch' });
    expect(checkHostKey([{ file: 'kh', text: `*,!dtn ssh-ed25519 ${b64}` }], 'dtn', 22, key)).toMatchObject({ reason: 'unknown' });
    expect(checkHostKey([{ file: 'kh', text: `@revoked * ssh-ed25519 ${b64}\ndtn ssh-ed25519 ${b64}` }], 'dtn', 22, key)).toMatchObject({ reason: 'revoked' });
  });

  it('asks the server for the key types it knows, RSA with SHA-2 first', () => {
    const text = `dtn ssh-rsa ${b64}\ndtn ecdsa-sha2-nistp256 ${b64}\nelse ssh-ed25519 ${b64}`;
    expect(hostKeyAlgorithms(knownKeys(text, 'dtn'))).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ecdsa-sha2-nistp256']);
  });
});
