import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Exit codes of `kickstart show` (README "kickstart show"). */
import { EXIT } from '../exit-codes.js';

export const EXIT_BAD_RECORD = EXIT.badRecord;
export const EXIT_WRITE_FAILED = EXIT.pageFailed;

/** A record file kickstart cannot show: one line naming the file and the fix. */
export class ShowError extends Error {
  override name = 'ShowError';
  constructor(message: string, readonly exitCode = EXIT_BAD_RECORD) {
    super(message);
  }
}

export type RecordLike = Record<string, any>;

const HINT = 'give a record file that kickstart -l FILE wrote (YAML, or JSON lines with --format json)';

/**
 * The records of a file, in order: pegasus-kickstart's YAML list (records
 * appended one after another form one list) or kickstart's JSON lines.
 * Pure: `name` only labels the errors.
 */
export function parseRecords(text: string, name: string): RecordLike[] {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '') throw new ShowError(`${name} is empty: ${HINT}`);
  let items: unknown;
  if (body.startsWith('{')) {
    items = body.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line)];
      } catch {
        throw new ShowError(`${name} line ${i + 1} is not JSON: ${HINT}`);
      }
    });
  } else {
    try {
      items = parse(body, { uniqueKeys: false, maxAliasCount: 100 });
    } catch (e) {
      const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      throw new ShowError(`${name}${line ? ` line ${line}` : ''} is not YAML: ${HINT}`);
    }
  }
  const list = Array.isArray(items) ? items : [items];
  const records = list.filter(isRecord);
  if (records.length === 0) throw new ShowError(`${name} holds no invocation record: ${HINT}`);
  return records;
}

function isRecord(x: unknown): x is RecordLike {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && (x as RecordLike).invocation === true;
}

export function loadRecords(path: string): RecordLike[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : code;
    throw new ShowError(`cannot read ${path}: ${why}; ${HINT}`);
  }
  return parseRecords(text, path);
}
