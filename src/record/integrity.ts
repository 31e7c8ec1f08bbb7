import type { StatInfo } from './types.js';

/**
 * KICKSTART_INTEGRITY_DATA: a file the job's tools (pegasus-integrity,
 * pegasus-transfer) append per-file YAML to, a mapping of names to stat
 * blocks indented for the record's `files:`. pegasus-kickstart pastes it into
 * the record as text; kickstart builds records as data, so it is parsed, and
 * only the keys a stat block has are kept, with their types checked: a tool's
 * typo must not make the record unreadable.
 */
const NUMBER_KEYS = ['error', 'mode', 'size', 'inode', 'nlink', 'blksize', 'blocks', 'uid', 'gid', 'checksum_timing'] as const;
const STRING_KEYS = ['lfn', 'comment', 'file_name', 'mtime', 'atime', 'ctime', 'user', 'group', 'sha256'] as const;

/**
 * Entries that came from a tool: the record keeps their names quoted as the
 * tools wrote them (pegasus-kickstart pastes the text as it is, and scripts
 * grep for `"name":`).
 */
export const fromTools = new WeakSet<StatInfo>();

export interface IntegrityData {
  entries: Record<string, StatInfo>;
  /** Why the text (or an entry) was not taken: for a warning. */
  problem?: string;
}

export async function parseIntegrityData(text: string): Promise<IntegrityData> {
  if (text.trim() === '') return { entries: {} };
  const { parse } = await import('yaml');
  let doc: unknown;
  try {
    // The tools write YAML 1.1 (True, 0o644 as written by Python): the core schema reads both.
    doc = parse(text, { schema: 'core', uniqueKeys: false });
  } catch (e) {
    return { entries: {}, problem: `not YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { entries: {}, problem: 'not a mapping of file names to stat blocks' };
  }
  const entries: Record<string, StatInfo> = {};
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    const info = statBlock(value);
    if (info) {
      fromTools.add(info);
      entries[name] = info;
    }
    else skipped.push(name);
  }
  return skipped.length ? { entries, problem: `entries that are not stat blocks: ${skipped.join(', ')}` } : { entries };
}

function statBlock(value: unknown): StatInfo | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of STRING_KEYS) if (v[k] !== undefined) out[k] = String(v[k] instanceof Date ? (v[k] as Date).toISOString() : v[k]);
  for (const k of NUMBER_KEYS) if (typeof v[k] === 'number') out[k] = v[k];
  if (typeof v.output === 'boolean') out.output = v.output;
  else if (typeof v.output === 'string') out.output = /^true$/i.test(v.output);
  return Object.keys(out).length ? (out as StatInfo) : undefined;
}
