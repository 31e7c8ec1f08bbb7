/**
 * Pure: POSIX ustar headers with pax extended records for what ustar cannot
 * hold (names > 100/155 bytes, link names > 100 bytes, sizes >= 8 GiB).
 * Readable by GNU tar, bsdtar and Python's tarfile.
 */

export const BLOCK = 512;

export type TarType = 'file' | 'dir' | 'symlink';

export interface TarHeader {
  name: string;
  type: TarType;
  size: number;
  mode: number;
  /** Seconds since the epoch; ustar keeps whole seconds. */
  mtime: number;
  linkname?: string;
}

const FLAG: Record<TarType, string> = { file: '0', dir: '5', symlink: '2' };
const OCTAL_SIZE_MAX = 0o77777777777;

/** The header blocks of one entry (a pax 'x' header first when needed). */
export function encodeHeader(h: TarHeader): Buffer {
  const name = h.type === 'dir' && !h.name.endsWith('/') ? h.name + '/' : h.name;
  const pax: Record<string, string> = {};
  const split = splitName(name);
  if (!split) pax.path = name;
  if (h.linkname !== undefined && Buffer.byteLength(h.linkname) > 100) pax.linkpath = h.linkname;
  if (h.size > OCTAL_SIZE_MAX) pax.size = String(h.size);
  const main = ustar({
    name: split ? split.name : asciiCut(name, 100),
    prefix: split ? split.prefix : '',
    flag: FLAG[h.type],
    size: h.size > OCTAL_SIZE_MAX ? 0 : h.size,
    mode: h.mode,
    mtime: Math.max(0, Math.floor(h.mtime)),
    linkname: h.linkname !== undefined && !pax.linkpath ? h.linkname : '',
  });
  if (Object.keys(pax).length === 0) return main;
  const body = encodePax(pax);
  const paxHead = ustar({
    name: asciiCut(`PaxHeader/${name.replace(/\/$/, '').split('/').pop()}`, 100),
    prefix: '',
    flag: 'x',
    size: body.length,
    mode: 0o644,
    mtime: Math.max(0, Math.floor(h.mtime)),
    linkname: '',
  });
  return Buffer.concat([paxHead, body, Buffer.alloc(padding(body.length)), main]);
}

/** Zero bytes that follow `size` bytes of data to the next block boundary. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The two zero blocks that end an archive. */
export const TRAILER = Buffer.alloc(2 * BLOCK);

function splitName(name: string): { name: string; prefix: string } | undefined {
  const len = Buffer.byteLength(name);
  if (len <= 100) return { name, prefix: '' };
  if (len > 256) return undefined;
  // Split at a '/' so that the tail fits 100 bytes and the head 155.
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return { name: rest, prefix };
  }
  return undefined;
}

function asciiCut(s: string, n: number): string {
  let out = s;
  while (Buffer.byteLength(out) > n) out = out.slice(0, -1);
  return out;
}

interface Raw {
  name: string;
  prefix: string;
  flag: string;
  size: number;
  mode: number;
  mtime: number;
  linkname: string;
}

function ustar(r: Raw): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(r.name, 0, 100, 'utf8');
  octal(b, 100, 8, r.mode & 0o7777);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, r.size);
  octal(b, 136, 12, Math.min(r.mtime, OCTAL_SIZE_MAX));
  b.write(r.flag, 156, 1, 'latin1');
  b.write(r.linkname, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'latin1');
  b.write(r.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i];
  b.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'latin1');
  return b;
}

function octal(b: Buffer, off: number, len: number, v: number): void {
  b.write(Math.floor(v).toString(8).padStart(len - 1, '0') + '\u0000', off, len, 'latin1');
}

export function encodePax(rec: Record<string, string>): Buffer {
  const lines = Object.entries(rec).map(([k, v]) => {
    const body = ` ${k}=${v}\n`;
    const bodyLen = Buffer.byteLength(body);
    let len = bodyLen + String(bodyLen).length;
    if (String(len).length + bodyLen !== len) len = bodyLen + String(len).length;
    return `${len}${body}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

export function decodePax(b: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < b.length) {
    if (b[i] === 0) break;
    const sp = b.indexOf(0x20, i);
    if (sp < 0) throw new Error('bad pax record');
    const len = Number(b.toString('latin1', i, sp));
    if (!Number.isSafeInteger(len) || len <= sp - i || i + len > b.length) throw new Error('bad pax record length');
    const rec = b.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq <= 0) throw new Error('bad pax record');
    out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export type DecodedHeader =
  | { kind: 'end' }
  | {
      kind: 'entry';
      /** '0' file, '5' dir, '2' symlink, 'x'/'g' pax, 'L'/'K' GNU long names, others unsupported. */
      flag: string;
      name: string;
      size: number;
      mode: number;
      mtime: number;
      linkname: string;
    };

/** Decodes one header block; throws on a bad checksum or number. */
export function decodeHeader(b: Buffer): DecodedHeader {
  if (b.length !== BLOCK) throw new Error('short header block');
  let zero = true;
  for (let i = 0; i < BLOCK; i++) {
    if (b[i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return { kind: 'end' };
  const stored = parseNumber(b, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[i];
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  if (stored !== unsigned && stored !== signed) throw new Error('header checksum mismatch');
  const flag = b[156] === 0 ? '0' : String.fromCharCode(b[156]);
  const ustarMagic = b.toString('latin1', 257, 262) === 'ustar';
  const prefix = ustarMagic ? cstr(b, 345, 155) : '';
  const name = cstr(b, 0, 100);
  return {
    kind: 'entry',
    flag,
    name: prefix ? `${prefix}/${name}` : name,
    size: parseNumber(b, 124, 12),
    mode: parseNumber(b, 100, 8) & 0o7777,
    mtime: parseNumber(b, 136, 12),
    linkname: cstr(b, 157, 100),
  };
}

function cstr(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

function parseNumber(b: Buffer, off: number, len: number): number {
  if (b[off] & 0x80) {
    // base-256 (GNU): big-endian, first byte's high bit is the flag.
    let v = b[off] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i];
    if (!Number.isSafeInteger(v)) throw new Error('number too large');
    return v;
  }
  const s = b.toString('latin1', off, off + len).replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`bad octal number '${s}'`);
  return parseInt(s, 8);
}
