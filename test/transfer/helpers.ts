import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, lstatSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { openSite } from '../../src/staging/index.js';
import type { SiteEntry, SiteOptions } from '../../src/staging/index.js';
import type { TransferOptions } from '../../src/transfer/index.js';

/**
 * The same transfer tests run against file:// (default) and against a real
 * S3 server (KICKSTART_TEST_STAGING=s3, set up by test/s3/global-setup.ts).
 */
export const kind = (['s3', 'sftp', 'webdav'] as const).find((k) => k === process.env.KICKSTART_TEST_STAGING) ?? 'file';
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Fixture bundles made for child processes, removed after the test file. */
const bundled: string[] = [];
afterAll(() => {
  for (const f of bundled.splice(0)) rmSync(f, { force: true });
});

export interface Staging {
  url: string;
  /** The kind's site options (s3Endpoint for the test server). */
  site?: SiteOptions;
}

/** A fresh, empty staging URL: a temp dir for file://, a unique prefix in the test bucket for s3://. */
export function freshStaging(): Staging {
  if (kind === 's3') {
    const bucket = process.env.S3_BUCKET;
    const endpoint = process.env.S3_ENDPOINT;
    if (!bucket || !endpoint) throw new Error('KICKSTART_TEST_STAGING=s3 needs S3_BUCKET and S3_ENDPOINT (test/s3/global-setup.ts)');
    return { url: `s3://${bucket}/t-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`, site: { s3Endpoint: endpoint } };
  }
  if (kind === 'sftp' || kind === 'webdav') return freshRemote(kind);
  return { url: pathToFileURL(path.join(tempDir('staging').dir, 'site')).href };
}

/** A fresh folder on the sshd or the WebDAV server test/staging/global-setup.ts started. */
export function freshRemote(k: 'sftp' | 'webdav', folder = `t-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`): Staging {
  const e = process.env;
  if (k === 'sftp') {
    if (!e.SFTP_PORT || !e.SFTP_KEY || !e.SFTP_KNOWN_HOSTS) throw new Error('sftp staging needs SFTP_* (test/staging/global-setup.ts)');
    return { url: `sftp://${e.SFTP_USER}@127.0.0.1:${e.SFTP_PORT}${e.SFTP_ROOT_PATH}/${folder}`, site: { sshKey: e.SFTP_KEY, sshKnownHosts: e.SFTP_KNOWN_HOSTS } };
  }
  if (!e.DAV_PORT || !e.DAV_CA_FILE) throw new Error('webdav staging needs DAV_* (test/staging/global-setup.ts)');
  return { url: `davs://127.0.0.1:${e.DAV_PORT}/${folder}`, site: { caFile: e.DAV_CA_FILE } };
}

/** The site options of a Staging as command-line flags (--s3-endpoint URL, --ssh-key FILE, ...). */
export function siteFlags(staging: Staging): string[] {
  const flag = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return Object.entries(staging.site ?? {}).flatMap(([k, v]) => (v ? [`--${flag(k)}`, v] : []));
}

/** A new working directory with `files` written in it. */
export function workdir(): string {
  const d = path.join(tempDir('work').dir, 'job');
  mkdirSync(d);
  return d;
}

export function options(cwd: string, staging: Staging, more: Partial<TransferOptions> = {}): TransferOptions {
  return {
    checkpoints: [],
    cwd,
    staging: staging.url,
    jobId: 'job-1',
    attempt: 1,
    retries: 2,
    backoffMs: 5,
    ...(staging.site ? { site: staging.site } : {}),
    ...more,
  };
}

export async function listKeys(staging: Staging, prefix = ''): Promise<SiteEntry[]> {
  const site = await openSite(staging.url, staging.site);
  try {
    return await site.list(prefix);
  } finally {
    site.close();
  }
}

export async function readObject(staging: Staging, key: string): Promise<Buffer> {
  const site = await openSite(staging.url, staging.site);
  try {
    const parts: Buffer[] = [];
    for await (const c of await site.get(key)) parts.push(c as Buffer);
    return Buffer.concat(parts);
  } finally {
    site.close();
  }
}

export async function writeObject(staging: Staging, key: string, data: Buffer | string): Promise<void> {
  const site = await openSite(staging.url, staging.site);
  try {
    await site.publish(key, Buffer.from(data));
  } finally {
    site.close();
  }
}

export interface TreeItem {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  mtimeMs: number;
  sha256?: string;
  target?: string;
}

/** Everything below `dir` (skipping nothing): type, mode, mtime, content hash or link target. */
export function snapshot(dir: string): Map<string, TreeItem> {
  const out = new Map<string, TreeItem>();
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      const a = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(a);
      const item: TreeItem = {
        type: st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file',
        mode: st.mode & 0o7777,
        mtimeMs: st.mtimeMs,
      };
      if (item.type === 'file') item.sha256 = createHash('sha256').update(readFileSync(a)).digest('hex');
      if (item.type === 'symlink') item.target = readlinkSync(a);
      out.set(r, item);
      if (item.type === 'dir') walk(a, r);
    }
  };
  walk(dir, '');
  return out;
}

/** Compares two snapshots; mtimes to the microsecond (what utimes can set). Returns the differences. */
export function diffTrees(a: Map<string, TreeItem>, b: Map<string, TreeItem>, compareSymlinkTimes = false): string[] {
  const diffs: string[] = [];
  for (const [k, x] of a) {
    const y = b.get(k);
    if (!y) {
      diffs.push(`${k}: missing`);
      continue;
    }
    if (x.type !== y.type) diffs.push(`${k}: type ${x.type} vs ${y.type}`);
    if (x.type !== 'symlink' && x.mode !== y.mode) diffs.push(`${k}: mode ${x.mode.toString(8)} vs ${y.mode.toString(8)}`);
    if ((x.type !== 'symlink' || compareSymlinkTimes) && Math.abs(x.mtimeMs - y.mtimeMs) > 0.002) diffs.push(`${k}: mtime ${x.mtimeMs} vs ${y.mtimeMs}`);
    if (x.sha256 !== y.sha256) diffs.push(`${k}: content differs`);
    if (x.target !== y.target) diffs.push(`${k}: link ${x.target} vs ${y.target}`);
  }
  for (const k of b.keys()) if (!a.has(k)) diffs.push(`${k}: extra`);
  return diffs;
}

const bundles = new Map<string, Promise<string>>();

/**
 * Bundles a TypeScript fixture with esbuild into test-output/ (inside the
 * repo, so its external packages resolve from node_modules) and returns the
 * .mjs path. No tsx needed.
 */
export function bundle(fixture: string): Promise<string> {
  let p = bundles.get(fixture);
  if (!p) {
    p = (async () => {
      const { build } = await import('esbuild');
      const dir = path.join(repoRoot, 'test-output', 'fixtures');
      mkdirSync(dir, { recursive: true });
      const outfile = path.join(dir, `${path.basename(fixture, '.ts')}-${process.pid}-${randomBytes(3).toString('hex')}.mjs`);
      await build({
        entryPoints: [path.resolve(repoRoot, fixture)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        packages: 'external',
        outfile,
        logLevel: 'warning',
      });
      bundled.push(outfile);
      return outfile;
    })();
    bundles.set(fixture, p);
  }
  return p;
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node script args`, collecting output; `onLine` sees stdout lines as they come and may kill the child. */
export function runNode(
  script: string,
  args: string[],
  o: { env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string, kill: () => void) => void; timeoutMs?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: o.cwd,
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const kill = () => child.kill('SIGKILL');
    const timer = setTimeout(kill, o.timeoutMs ?? 60_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      partial += c;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        o.onLine?.(line, kill);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The keys of a job's generations (chunks left out), after checking the
 * chunk store: every chunk a published manifest lists is there, and (when
 * `tidy`) no chunk is there that none lists.
 */
export async function generationKeys(staging: Staging, jobId = 'job-1', tidy = true): Promise<string[]> {
  const keys = (await listKeys(staging, `${jobId}/`)).map((e) => e.key);
  const chunkHead = `${jobId}/chunks/`;
  const stored = new Set(keys.filter((k) => k.startsWith(chunkHead)).map((k) => k.slice(chunkHead.length)));
  const listed = new Set<string>();
  for (const k of keys.filter((k) => /\/gen-\d+\.manifest\.json$/.test(k))) {
    const m = JSON.parse((await readObject(staging, k)).toString('utf8')) as { object: { chunks?: [string, number][] } };
    for (const [sha] of m.object.chunks ?? []) listed.add(sha);
  }
  const missing = [...listed].filter((c) => !stored.has(c));
  if (missing.length > 0) throw new Error(`${missing.length} chunks listed by a manifest are missing, e.g. ${missing[0]}`);
  const extra = [...stored].filter((c) => !listed.has(c));
  if (tidy && extra.length > 0) throw new Error(`${extra.length} chunks no manifest lists are left, e.g. ${extra[0]}`);
  return keys.filter((k) => !k.startsWith(chunkHead));
}
