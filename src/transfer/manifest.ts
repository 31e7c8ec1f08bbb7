import { ancestors, unsafePathReason } from './paths.js';
import { genName } from './generations.js';
import { bool, int, num, obj, oneOf, str } from './manifest-fields.js';

/**
 * Pure: the manifest of one generation, written last at the staging site.
 * Its presence makes the generation visible; its per-file SHA-256 sums are
 * what stage-in verifies against. Format 1 names one data object of the
 * generation; format 2 lists the content-addressed chunks the data is cut
 * into (see chunk-store.ts), each verified by its own SHA-256 on the way in.
 */

export const MANIFEST_FORMAT = 'kickstart-checkpoint/1';
export const CHUNKED_FORMAT = 'kickstart-checkpoint/2';
export type ManifestFormat = typeof MANIFEST_FORMAT | typeof CHUNKED_FORMAT;

/** One chunk of the data: [hex SHA-256 of its bytes, size]. Compact: a 1 GiB file has ~1000. */
export type ChunkRef = [string, number];

/** What a chunked generation sent, as opposed to found at the site already. */
export interface DedupStats {
  /** Chunk bytes uploaded for this generation. */
  bytes_new: number;
  chunks_new: number;
  /** Chunks already at the site (from earlier generations or an interrupted upload). */
  chunks_reused: number;
}

export type EntryType = 'file' | 'dir' | 'symlink';

export interface ManifestEntry {
  /** Relative to the job's working directory, '/'-separated; absolute only when declared outside it. */
  path: string;
  type: EntryType;
  /** Bytes (0 for dirs and symlinks). */
  size: number;
  /** Permission bits, 0..0o7777. */
  mode: number;
  /** Seconds since the epoch, fractional. */
  mtime: number;
  /** Files only: hex SHA-256 of the content. */
  sha256?: string;
  /** Symlinks only: the link text, stored as is and never followed. */
  target?: string;
  /**
   * Files, format 2: dev:ino:size:mtime_ns:ctime_ns as read. The next
   * stage-out reuses this entry's chunks without reading the file when its
   * identity is the same (ctime cannot be set back by a writer).
   */
  id?: string;
}

export interface Manifest {
  format: ManifestFormat;
  job_id: string;
  generation: number;
  attempt: number;
  host: string;
  /** ISO time the generation was published. */
  time: string;
  /**
   * false when a failed attempt shipped it (its app may have left garbage):
   * such generations never push the newest clean one out of --keep, and a
   * crash loop rolls back past them. true for a live trigger, a completed
   * job, a fired deadline or a stop from outside; absent (older manifests) counts as true.
   */
  clean?: boolean;
  /** The data of the generation: one object (format 1) or a list of chunks (format 2). */
  object: {
    /** Format 1: key relative to the job folder: gen-000042/<name>. */
    key?: string;
    /** 'file': one regular file stored as is; 'tar': an archive of all entries. */
    format: 'file' | 'tar';
    size: number;
    /** Format 2: the data's chunks in order; their sizes add up to `size`. */
    chunks?: ChunkRef[];
  };
  /** Format 2: what this generation uploaded. */
  dedup?: DedupStats;
  /** Sum of the file sizes. */
  bytes: number;
  /** Parents before children. */
  entries: ManifestEntry[];
}

export function buildManifest(m: Omit<Manifest, 'format' | 'bytes'>): Manifest {
  const bytes = m.entries.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0);
  return { format: m.object.chunks ? CHUNKED_FORMAT : MANIFEST_FORMAT, ...m, bytes };
}

export function serializeManifest(m: Manifest): Buffer {
  return Buffer.from(JSON.stringify(m, null, 1) + '\n');
}

export type ParsedManifest = { ok: true; manifest: Manifest } | { ok: false; message: string };

const SHA = /^[0-9a-f]{64}$/;
const MAX_MANIFEST = 256 << 20;

/**
 * Parses and schema-checks a manifest. Never throws: a malformed one gives a
 * one-line message (what is wrong, where).
 */
export function parseManifest(text: string | Buffer, expect: { jobId?: string; generation?: number } = {}): ParsedManifest {
  if (text.length > MAX_MANIFEST) return fail('too large');
  let raw: unknown;
  try {
    raw = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch (err) {
    return fail(`not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  try {
    return { ok: true, manifest: check(raw, expect) };
  } catch (err) {
    return fail((err as Error).message);
  }
}

function fail(why: string): ParsedManifest {
  return { ok: false, message: `malformed manifest: ${why}` };
}

function check(raw: unknown, expect: { jobId?: string; generation?: number }): Manifest {
  const o = obj(raw, 'manifest');
  if (o.format !== MANIFEST_FORMAT && o.format !== CHUNKED_FORMAT) {
    throw new Error(`format is ${JSON.stringify(o.format)}, expected "${CHUNKED_FORMAT}" or "${MANIFEST_FORMAT}"`);
  }
  const chunked = o.format === CHUNKED_FORMAT;
  const jobId = str(o.job_id, 'job_id');
  const generation = int(o.generation, 'generation', 1);
  if (expect.jobId !== undefined && jobId !== expect.jobId) throw new Error(`job_id "${jobId}" is not "${expect.jobId}"`);
  if (expect.generation !== undefined && generation !== expect.generation) {
    throw new Error(`generation ${generation} is not ${expect.generation}`);
  }
  const ob = obj(o.object, 'object');
  const object: Manifest['object'] = {
    format: oneOf(ob.format, ['file', 'tar'] as const, 'object.format'),
    size: int(ob.size, 'object.size', 0),
  };
  if (chunked) {
    object.chunks = chunkList(ob.chunks, object.size);
  } else {
    const key = (object.key = str(ob.key, 'object.key'));
    const head = `${genName(generation)}/`;
    const name = key.slice(head.length);
    if (!key.startsWith(head) || name === '' || unsafePathReason(name, false)) {
      throw new Error(`object.key "${key}" is not inside ${head}`);
    }
  }
  if (!Array.isArray(o.entries)) throw new Error('entries is not a list');
  const entries = o.entries.map((e, i) => entry(e, `entries[${i}]`));
  checkTree(entries);
  const files = entries.filter((e) => e.type === 'file');
  if (object.format === 'file' && (entries.length !== 1 || files.length !== 1 || files[0].size !== object.size)) {
    throw new Error('object.format "file" needs exactly one file entry of object.size bytes');
  }
  const bytes = int(o.bytes, 'bytes', 0);
  if (bytes !== files.reduce((n, e) => n + e.size, 0)) throw new Error('bytes is not the sum of the file sizes');
  const dedup = chunked && o.dedup !== undefined ? dedupStats(o.dedup) : undefined;
  return {
    format: chunked ? CHUNKED_FORMAT : MANIFEST_FORMAT,
    job_id: jobId,
    generation,
    attempt: int(o.attempt, 'attempt', 0),
    host: str(o.host, 'host', true),
    time: str(o.time, 'time'),
    ...(o.clean === undefined ? {} : { clean: bool(o.clean, 'clean') }),
    object,
    bytes,
    entries,
    ...(dedup ? { dedup } : {}),
  };
}

/** Chunks bigger than this are refused: no chunker writes them, and each is held whole in memory. */
export const MAX_CHUNK = 64 << 20;

function chunkList(raw: unknown, size: number): ChunkRef[] {
  if (!Array.isArray(raw)) throw new Error('object.chunks is not a list');
  let sum = 0;
  const out = raw.map((c, i): ChunkRef => {
    if (!Array.isArray(c) || c.length !== 2 || typeof c[0] !== 'string' || !SHA.test(c[0])) {
      throw new Error(`object.chunks[${i}] is not [sha256, size]`);
    }
    const n = int(c[1], `object.chunks[${i}] size`, 1);
    if (n > MAX_CHUNK) throw new Error(`object.chunks[${i}] is larger than ${MAX_CHUNK} bytes`);
    sum += n;
    return [c[0], n];
  });
  if (sum !== size) throw new Error(`object.chunks add up to ${sum} bytes, object.size is ${size}`);
  return out;
}

function dedupStats(raw: unknown): DedupStats {
  const d = obj(raw, 'dedup');
  return { bytes_new: int(d.bytes_new, 'dedup.bytes_new', 0), chunks_new: int(d.chunks_new, 'dedup.chunks_new', 0), chunks_reused: int(d.chunks_reused, 'dedup.chunks_reused', 0) };
}

function entry(raw: unknown, where: string): ManifestEntry {
  const o = obj(raw, where);
  const p = str(o.path, `${where}.path`);
  const bad = unsafePathReason(p, true);
  if (bad) throw new Error(`${where}.path "${p}" has ${bad}`);
  const type = oneOf(o.type, ['file', 'dir', 'symlink'] as const, `${where}.type`);
  const e: ManifestEntry = {
    path: p,
    type,
    size: int(o.size, `${where}.size`, 0),
    mode: int(o.mode, `${where}.mode`, 0),
    mtime: num(o.mtime, `${where}.mtime`),
  };
  if (e.mode > 0o7777) throw new Error(`${where}.mode ${e.mode} is not a permission mode`);
  if (type === 'file') {
    const sha = str(o.sha256, `${where}.sha256`);
    if (!SHA.test(sha)) throw new Error(`${where}.sha256 is not 64 hex digits`);
    e.sha256 = sha;
    if (o.id !== undefined) e.id = str(o.id, `${where}.id`);
  } else if (e.size !== 0) throw new Error(`${where}.size must be 0 for a ${type}`);
  if (type === 'symlink') {
    e.target = str(o.target, `${where}.target`);
    if (e.target.includes('\0')) throw new Error(`${where}.target has a NUL byte`);
  }
  return e;
}

/** Paths are unique, and nothing sits below a file or a symlink (no writing through links). */
function checkTree(entries: ManifestEntry[]): void {
  const seen = new Map<string, EntryType>();
  for (const e of entries) {
    if (seen.has(e.path)) throw new Error(`path "${e.path}" appears twice`);
    seen.set(e.path, e.type);
  }
  for (const e of entries) {
    for (const a of ancestors(e.path)) {
      const t = seen.get(a);
      if (t && t !== 'dir') throw new Error(`path "${e.path}" lies below the ${t} "${a}"`);
    }
  }
}
