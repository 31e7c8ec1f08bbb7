/**
 * Scalar spelling for the record's YAML. Pegasus prints most strings bare;
 * we do too, but only when the bare text loads back as the same string under
 * both YAML 1.2 (core) and YAML 1.1 (PyYAML, which Pegasus's tools use).
 * Anything doubtful is double-quoted: quoting is always safe, guessing is not.
 */

// Non-ASCII is always quoted: bare UTF-8 is legal YAML but NEL, LS/PS and
// the BOM are line breaks or markers for some loaders, and quoting is cheap.
const PRINTABLE_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
// Indicators that change meaning at the start of a plain scalar.
const LEADING_INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`~]/;
const INNER_INDICATOR = /: | #|:$/;
const RESERVED = /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|<<|=)$/;
// Union of the core and 1.1 int/float forms: 1_000, .5, 1e3, 0x1F, 0o17,
// 0b101, 017, sexagesimal 1:30, .inf, .nan. The first pattern is loose on
// purpose: the yaml package's 1.1 float reads even "." and "e7" as numbers.
const NUMBERISH = [
  /^[-+]?[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/,
  /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/,
];
// YAML 1.1 timestamps (2001-12-14, 2001-12-14t21:59:43.10-05:00...): any
// string starting with a date is treated as one.
const DATEISH = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

export function isPlainSafe(s: string): boolean {
  return (
    PRINTABLE_ASCII.test(s) &&
    !LEADING_INDICATOR.test(s) &&
    !INNER_INDICATOR.test(s) &&
    !RESERVED.test(s) &&
    !NUMBERISH.some((re) => re.test(s)) &&
    !DATEISH.test(s) &&
    !s.startsWith('---') &&
    !s.startsWith('...')
  );
}

// JSON leaves these raw; YAML forbids or reinterprets them (DEL and C1
// controls are non-printable, U+0085/2028/2029 are 1.1 line breaks).
const JSON_RAW_BUT_YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** A JSON string literal is a valid YAML double-quoted scalar once the above are escaped. */
export function quote(s: string): string {
  return JSON.stringify(s).replace(
    JSON_RAW_BUT_YAML_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function scalar(s: string): string {
  return isPlainSafe(s) ? s : quote(s);
}

const STAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?[-+][0-9]{2}:[0-9]{2}$/;

/** Pegasus prints its ISO times bare (1.1 loaders make them timestamps); others are strings. */
export function stamp(s: string): string {
  return STAMP.test(s) ? s : scalar(s);
}

/** NaN/Infinity keep a numeric type in YAML rather than becoming "NaN" strings. */
function nonFinite(n: number): string {
  return Number.isNaN(n) ? '.nan' : n > 0 ? '.inf' : '-.inf';
}

/** "%.3f"-style decimals (durations, utime: 3; loads, checksum_timing: 2). */
export function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : nonFinite(n);
}

/** Any number; exponents get a "." so YAML 1.1 still reads a float (1e21 -> 1.0e+21). */
export function num(n: number): string {
  if (!Number.isFinite(n)) return nonFinite(n);
  const s = String(n);
  return s.includes('e') && !s.includes('.') ? s.replace('e', '.0e') : s;
}

/** mode as "0o100755"; umask padded to 4 digits ("0o0022") as Pegasus prints it. */
export function octal(n: number, width = 1): string {
  return `0o${n.toString(8).padStart(width, '0')}`;
}

/**
 * A character a literal block cannot carry verbatim: anything but printable
 * text, tab and \n (so \r, controls, NEL, LS/PS, BOM, lone surrogates). A
 * negated class scans in linear time even over megabytes of output.
 */
const NOT_BLOCK_TEXT = /[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;

/**
 * The `data:` value as Pegasus writes it: "|" then every line indented, plus
 * the trailing indented blank line it always emits. A text without a final
 * newline uses "|-" so it loads back unchanged. Returns undefined when a block
 * would not round-trip (leading blank on the first line, \r, several trailing
 * newlines, control characters...): the caller quotes instead.
 */
export function literalBlock(text: string, indent: number): string | undefined {
  if (NOT_BLOCK_TEXT.test(text) || !/[^\n]/.test(text) || text.endsWith('\n\n')) return undefined;
  // The first non-empty line fixes the block's indentation for the loader.
  if (/^\n*[ \t]/.test(text)) return undefined;
  const pad = ' '.repeat(indent);
  const clip = text.endsWith('\n');
  const body = clip ? text.slice(0, -1) : text;
  const lines = body.split('\n').map((l) => pad + l);
  return `${clip ? '|' : '|-'}\n${lines.join('\n')}\n${pad}\n`;
}
