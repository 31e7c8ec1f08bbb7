import { describe, it, expect, afterEach } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ks } from '../helpers/run.js';
import { freshStaging, kind, siteFlags, workdir, type Staging } from './helpers.js';

/**
 * The staging site goes away while the job runs (file://: its folder turns
 * into a file; s3://: the only route to the server is closed): stage-out
 * tries 1 + --transfer-retries times with backoff, says in one line which
 * URL failed and why, exits 21, and the record is still written (sftp://,
 * davs://: a relay in front of the server is shut). Run through
 * the built CLI at trace level, so that no credential may show anywhere.
 */
const RETRIES = 2;
const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** A TCP relay to the S3 server that can be shut, as if the network went down. */
async function relay(endpoint: string): Promise<{ endpoint: string; shut: () => void }> {
  const target = new URL(endpoint);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const up = net.connect(Number(target.port), target.hostname);
    for (const s of [c, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    c.pipe(up).pipe(c);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const shut = () => {
    server.close();
    for (const s of sockets) s.destroy();
  };
  closers.push(shut);
  return { endpoint: `http://127.0.0.1:${port}`, shut };
}

/** What the site needs on the command line (and the URL to use), and how to make it unreachable. */
async function site(staging: Staging): Promise<{ url: string; args: string[]; cut: () => void; cause: RegExp }> {
  if (kind === 's3') {
    const r = await relay(staging.site?.s3Endpoint!);
    return { url: staging.url, args: ['--s3-endpoint', r.endpoint], cut: r.shut, cause: /ECONNREFUSED/ };
  }
  if (kind === 'sftp' || kind === 'webdav') {
    // The same server behind a relay: a URL with the relay's port (and, for
    // SSH, a known_hosts line for that name, as ssh-keyscan would add it).
    const u = new URL(staging.url);
    const r = await relay(`http://127.0.0.1:${u.port}`);
    const port = new URL(r.endpoint).port;
    const url = staging.url.replace(`127.0.0.1:${u.port}`, `127.0.0.1:${port}`);
    const args = siteFlags(staging);
    if (kind === 'sftp') {
      const kh = `${staging.site!.sshKnownHosts}-relay-${port}`;
      writeFileSync(kh, readFileSync(staging.site!.sshKnownHosts!, 'utf8').replace(`]:${u.port} `, `]:${port} `));
      args.splice(args.indexOf('--ssh-known-hosts') + 1, 1, kh);
    }
    return { url, args, cut: r.shut, cause: /ECONNREFUSED/ };
  }
  const dir = new URL(staging.url).pathname;
  // The attempt's start marker made the folder: it goes, and a file takes its place.
  const cut = () => {
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a folder any more');
  };
  return { url: staging.url, args: [], cut, cause: /ENOTDIR/ };
}

const secrets = () => [process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_ACCESS_KEY_ID, process.env.KICKSTART_WEBDAV_PASSWORD].filter((v): v is string => !!v && v.length >= 4);

describe(`unreachable staging site (${kind})`, () => {
  it(`stage-out fails after 1 + ${RETRIES} tries with one clear line, exit 21, and the record is written`, async () => {
    const s = await site(freshStaging());
    const staging = { url: s.url };
    const cwd = workdir();
    const record = path.join(cwd, '..', 'record.yml');
    // The job waits for the test to cut the site, then writes its checkpoint.
    const job = ks(
      [
        '-l', record, '--log-level', 'trace', '--checkpoint', 'state.ckpt', '--staging', staging.url, '--job-id', 'gone',
        '--transfer-retries', String(RETRIES), '--transfer-backoff', '20ms', ...s.args, '--',
        'sh', '-c', 'touch running; while [ ! -e go ]; do sleep 0.05; done; echo checkpoint > state.ckpt',
      ],
      { cwd, recordFile: record, timeout: 120_000 },
    );
    for (let i = 0; i < 1200 && !existsSync(path.join(cwd, 'running')); i++) await sleep(50);
    expect(existsSync(path.join(cwd, 'running'))).toBe(true);
    s.cut();
    writeFileSync(path.join(cwd, 'go'), '');
    const r = await job;

    expect(r.exitCode, r.stderr.slice(-1500)).toBe(21);
    const att = r.record?.kickstart;
    expect(att?.outcome).toBe('stage-out-failed');
    expect(r.record?.mainjob?.status).toEqual({ raw: 0, regular_exitcode: 0 });
    const out = att?.stage_out;
    expect(out).toMatchObject({ direction: 'out', result: 'failed', url: staging.url, attempts: RETRIES + 1 });
    expect(out.error).toMatch(new RegExp(`^stage-out to ${staging.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed after ${RETRIES + 1} attempts: `));
    expect(out.error).toMatch(s.cause);
    expect(out.error).not.toContain('\n');
    // Each retry is announced with its URL, cause and delay; then one error line.
    const retried = r.stderr.split('\n').filter((l) => /stage-out: .*retrying in \d+ ms/.test(l));
    expect(retried).toHaveLength(RETRIES);
    for (const l of retried) {
      expect(l).toMatch(s.cause);
      expect(l).toContain(staging.url);
    }
    expect(r.stderr).toContain(out.error);
    const text = r.stdout + r.stderr + readFileSync(record, 'utf8');
    for (const v of secrets()) expect(text).not.toContain(v);
  });

  it('a working round trip at trace level shows no credentials either', async () => {
    const staging = freshStaging();
    const a = workdir();
    const args = ['--log-level', 'trace', '--checkpoint', 'state.ckpt', '--staging', staging.url, '--job-id', 'fine',
      '--transfer-retries', '1', ...siteFlags(staging)];
    const first = await ks([...args, '--', 'sh', '-c', 'echo one > state.ckpt'], { cwd: a });
    expect(first.exitCode, first.stderr.slice(-1500)).toBe(0);
    expect(first.record?.kickstart?.stage_out?.result).toBe('ok');
    const b = workdir();
    const second = await ks([...args, '--', 'cat', 'state.ckpt'], { cwd: b });
    expect(second.exitCode, second.stderr.slice(-1500)).toBe(0);
    expect(second.record?.kickstart?.stage_in?.result).toBe('ok');
    expect(readFileSync(path.join(b, 'state.ckpt'), 'utf8')).toBe('one\n');
    for (const v of secrets()) expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain(v);
  });
});
