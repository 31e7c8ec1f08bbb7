import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SiteError } from '../../src/staging/site.js';
import { env, serverSideRoundTrip, sftpSite } from './servers.js';

describe('sftp:// against a real sshd', () => {
  it('puts through a temp name and a rename, reads back, lists, removes with the empty folders', async () => {
    const { site, localDir } = sftpSite();
    try {
      await serverSideRoundTrip(site, localDir, 'gen-1/a.bin');
    } finally {
      site.close();
    }
  });

  it('refuses a host not in known_hosts with a line saying how to accept it', async () => {
    const empty = path.join(tmpdir(), `kh-${randomBytes(4).toString('hex')}`);
    writeFileSync(empty, '');
    const { site } = sftpSite({ knownHosts: empty });
    try {
      const err = await site.list('').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SiteError);
      expect((err as SiteError).kind).toBe('fatal');
      expect((err as SiteError).message).toMatch(new RegExp(`\\[127\\.0\\.0\\.1\\]:${env('SFTP_PORT')} is not in known_hosts.*SHA256:.*ssh-keyscan -p ${env('SFTP_PORT')} 127\\.0\\.0\\.1 >> ${empty}`));
      expect((err as SiteError).message).not.toContain('\n');
    } finally {
      site.close();
    }
  });

  it('refuses a changed host key', async () => {
    const kh = path.join(tmpdir(), `kh-${randomBytes(4).toString('hex')}`);
    // Another ed25519 key under the server's name: a man in the middle, as ssh sees it.
    writeFileSync(kh, `[127.0.0.1]:${env('SFTP_PORT')} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`);
    const { site } = sftpSite({ knownHosts: kh });
    try {
      await expect(site.list('')).rejects.toMatchObject({ kind: 'fatal', message: expect.stringMatching(/differs from the one in known_hosts/) });
    } finally {
      site.close();
    }
  });

  it('says which keys were tried when the server accepts none', async () => {
    const dir = path.join(tmpdir(), `k-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir);
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'other')]);
    const { site } = sftpSite({ keyFile: path.join(dir, 'other') });
    const sock = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      await expect(site.list('')).rejects.toMatchObject({ kind: 'fatal', message: expect.stringContaining(`accepted none of the keys tried (${path.join(dir, 'other')})`) });
    } finally {
      if (sock !== undefined) process.env.SSH_AUTH_SOCK = sock;
      site.close();
    }
  });

  it('refuses a passphrase-protected key file with the agent as the fix', async () => {
    const dir = path.join(tmpdir(), `k-${randomBytes(4).toString('hex')}`);
    mkdirSync(dir);
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', path.join(dir, 'locked')]);
    const { site } = sftpSite({ keyFile: path.join(dir, 'locked') });
    try {
      await expect(site.list('')).rejects.toMatchObject({ kind: 'fatal', message: expect.stringContaining('ssh-add') });
    } finally {
      site.close();
    }
  });
});
