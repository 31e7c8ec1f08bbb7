import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { procFile, processesWhere } from '../helpers/proc.js';

/** Helpers of the faults suite: seeded randomness, figures, S3 settings, process probes. */

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** KICKSTART_FAULTS_SEED reproduces a run; otherwise a fresh seed, printed with every figure. */
export const SEED = process.env.KICKSTART_FAULTS_SEED ? Number(process.env.KICKSTART_FAULTS_SEED) : randomBytes(4).readUInt32BE(0);

export function rng(salt: string): () => number {
  const h = createHash('sha256').update(`${SEED}:${salt}`).digest();
  return prng(h.readUInt32BE(0));
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Prints a figure on stdout and keeps it for the summary the global teardown prints. */
export function figure(line: string): void {
  const text = `${line} (seed ${SEED})`;
  console.log(`[faults] ${text}`);
  const file = process.env.KICKSTART_FAULTS_FIGURES;
  if (file) appendFileSync(file, `${text}\n`);
}

export interface S3Env {
  endpoint: string;
  bucket: string;
  accessKey: string;
  secretKey: string;
}

/** The server test/faults/global-setup.ts started, or undefined with KICKSTART_FAULTS_S3=0. */
export function s3(): S3Env | undefined {
  const e = process.env;
  if (!e.S3_ENDPOINT || !e.S3_BUCKET || !e.AWS_ACCESS_KEY_ID || !e.AWS_SECRET_ACCESS_KEY) return undefined;
  return { endpoint: e.S3_ENDPOINT, bucket: e.S3_BUCKET, accessKey: e.AWS_ACCESS_KEY_ID, secretKey: e.AWS_SECRET_ACCESS_KEY };
}

export interface RemoteStaging {
  url: string;
  /** Site options as flags (--ssh-key FILE, ...) and as a SiteOptions bag. */
  flags: string[];
  site: Record<string, string>;
}

/**
 * The sshd and nginx WebDAV test/faults/global-setup.ts started (SFTP_*,
 * DAV_*), or undefined with KICKSTART_FAULTS_STAGING=0: a fresh folder on either.
 */
export function stagingServers(e: NodeJS.ProcessEnv = process.env): { sftp(folder: string): RemoteStaging; webdav(folder: string): RemoteStaging } | undefined {
  if (!e.SFTP_PORT || !e.SFTP_KEY || !e.SFTP_KNOWN_HOSTS || !e.DAV_PORT || !e.DAV_CA_FILE) return undefined;
  return {
    sftp: (folder) => ({
      url: `sftp://${e.SFTP_USER}@127.0.0.1:${e.SFTP_PORT}${e.SFTP_ROOT_PATH}/${folder}`,
      flags: ['--ssh-key', e.SFTP_KEY!, '--ssh-known-hosts', e.SFTP_KNOWN_HOSTS!],
      site: { sshKey: e.SFTP_KEY!, sshKnownHosts: e.SFTP_KNOWN_HOSTS! },
    }),
    webdav: (folder) => ({ url: `davs://127.0.0.1:${e.DAV_PORT}/${folder}`, flags: ['--ca-file', e.DAV_CA_FILE!], site: { caFile: e.DAV_CA_FILE! } }),
  };
}

export const uniquePrefix = (label: string) => `faults-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** Every file below `dir`, relative, sorted. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    for (const d of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      out.push(d.isDirectory() ? `${r}/` : r);
      if (d.isDirectory()) walk(path.join(abs, d.name), r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** Pids of live processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  return processesWhere((pid) => procFile(pid, 'cmdline').includes(marker));
}

export const MiB = 1 << 20;
export const fmtMiB = (b: number) => `${(b / MiB).toFixed(1)} MiB`;
