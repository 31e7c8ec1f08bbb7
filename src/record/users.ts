/**
 * uid/gid -> name without getpwuid(3): Node has no binding for it, and NSS
 * back ends (LDAP, sssd) could block. /etc/passwd and /etc/group cover local
 * accounts; anything else falls back to the number, which is still truthful.
 */
import { readFileSync } from 'node:fs';

type NameTable = Map<number, string>;

let users: NameTable | undefined;
let groups: NameTable | undefined;

/** Parses "name:x:id:..." lines; the first entry for an id wins, as with getpwuid. */
export function parseIdFile(text: string): NameTable {
  const table: NameTable = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    if (fields.length < 3) continue;
    const id = Number(fields[2]);
    if (fields[0] && Number.isInteger(id) && !table.has(id)) table.set(id, fields[0]);
  }
  return table;
}

function load(path: string): NameTable {
  try {
    return parseIdFile(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}

export function userName(uid: number): string {
  users ??= load('/etc/passwd');
  return users.get(uid) ?? String(uid);
}

export function groupName(gid: number): string {
  groups ??= load('/etc/group');
  return groups.get(gid) ?? String(gid);
}
