/**
 * The record as text. Hand-written like Pegasus's fprintf code rather than a
 * generic dumper, because the point is byte-for-byte shape compatibility with
 * pegasus-kickstart: a one-item list ("- invocation: True") so records append
 * into one file, fixed key order, its number formats and its quoting choices.
 * Keys a block does not know are skipped; new StatInfo/record fields need a
 * line here. The `kickstart` block (ours) is emitted generically.
 */
import { fixed, literalBlock, num, octal, quote, scalar, stamp } from './yaml-scalar.js';
import type { TracedProc } from './types.js';
import { fromTools } from './integrity.js';
import type { InvocationRecord, JobName, JobRecord, JobStatus, Rusage, StatInfo } from './types.js';

type Lines = string[];
const sp = (n: number): string => ' '.repeat(n);
const int = (n: number): string => num(Math.trunc(n));

const RUSAGE_KEYS: ReadonlyArray<keyof Rusage> = [
  'utime', 'stime', 'maxrss', 'minflt', 'majflt', 'nswap', 'inblock',
  'outblock', 'msgsnd', 'msgrcv', 'nsignals', 'nvcsw', 'nivcsw',
];

function usage(out: Lines, at: number, u: Rusage): void {
  out.push(`${sp(at)}usage:`);
  for (const k of RUSAGE_KEYS) {
    const v = u[k] ?? 0;
    out.push(`${sp(at + 2)}${k}: ${k === 'utime' || k === 'stime' ? fixed(v, 3) : int(v)}`);
  }
}

/** StatInfo keys in Pegasus's order with its spelling of each value. */
const STAT_FORMAT: ReadonlyArray<readonly [keyof StatInfo, (v: never) => string]> = [
  ['error', int], ['lfn', quote], ['comment', scalar], ['file_name', scalar], ['temporary_name', scalar],
  ['descriptor', int], ['descriptor_number', int], ['mode', (m: number) => octal(m)],
  ['size', int], ['inode', int], ['nlink', int], ['blksize', int], ['blocks', int],
  ['mtime', stamp], ['atime', stamp], ['ctime', stamp],
  ['uid', int], ['user', scalar], ['gid', int], ['group', scalar],
  ['output', (b: boolean) => (b ? 'True' : 'False')], ['sha256', scalar],
  ['checksum_timing', (n: number) => fixed(n, 2)], ['data_truncated', String],
];

function statBlock(out: Lines, at: number, name: string, st: StatInfo): void {
  out.push(`${sp(at)}${name}:`);
  for (const [key, format] of STAT_FORMAT) {
    const v = st[key];
    if (v !== undefined) out.push(`${sp(at + 2)}${key}: ${(format as (x: unknown) => string)(v)}`);
  }
  if (st.data !== undefined) {
    const block = literalBlock(st.data, at + 4);
    // A block ends with its own newline; join() adds the next one.
    out.push(`${sp(at + 2)}data: ${block === undefined ? quote(st.data) : block.slice(0, -1)}`);
  }
}

function status(out: Lines, at: number, s: JobStatus): void {
  out.push(`${sp(at)}status:`, `${sp(at + 2)}raw: ${int(s.raw)}`);
  const p = sp(at + 2);
  if ('regular_exitcode' in s) out.push(`${p}regular_exitcode: ${int(s.regular_exitcode)}`);
  else if ('signalled_signal' in s) {
    out.push(
      `${p}signalled_signal: ${int(s.signalled_signal)}`,
      `${p}singalled_name: ${quote(s.singalled_name)}`,
      `${p}corefile: ${s.corefile ? 'true' : 'false'}`,
    );
  } else out.push(`${p}failure_error: ${scalar(s.failure_error)}`);
}

function job(out: Lines, at: number, name: JobName, j: JobRecord): void {
  const p = sp(at + 2);
  out.push(`${sp(at)}${name}:`, `${p}start: ${stamp(j.start)}`, `${p}duration: ${fixed(j.duration, 3)}`);
  if (j.pid !== undefined) out.push(`${p}pid: ${int(j.pid)}`);
  usage(out, at + 2, j.usage);
  status(out, at + 2, j.status);
  statBlock(out, at + 2, 'executable', j.executable);
  out.push(`${p}argument_vector:`);
  for (const a of j.argument_vector) out.push(`${p}  - ${quote(a)}`);
  // Pegasus lists the job's processes here; kickstart does with -t (monitor/trace.ts).
  out.push(`${p}procs:`);
  for (const [pid, t] of Object.entries(j.procs ?? {})) procBlock(out, at + 4, pid, t);
}

const PROC_NUMBERS = [
  'utime', 'stime', 'iowait', 'finthreads', 'maxthreads', 'totthreads', 'vmpeak', 'rsspeak',
  'rchar', 'wchar', 'rbytes', 'wbytes', 'cwbytes', 'syscr', 'syscw',
] as const;

function procBlock(out: Lines, at: number, pid: string, t: TracedProc): void {
  const p = sp(at + 2);
  out.push(`${sp(at)}${pid}:`, `${p}ppid: ${int(t.ppid)}`, `${p}pid: ${int(t.pid)}`, `${p}exe: ${scalar(t.exe)}`);
  out.push(`${p}start: ${fixed(t.start, 6)}`, `${p}stop: ${fixed(t.stop, 6)}`);
  for (const k of PROC_NUMBERS) out.push(`${p}${k}: ${k === 'utime' || k === 'stime' || k === 'iowait' ? fixed(t[k], 3) : int(t[k])}`);
  out.push(`${p}cmd: ${quote(t.cmd)}`, `${p}argv:`);
  for (const a of t.argv) out.push(`${p}  - ${quote(a)}`);
  if (t.files_written) {
    out.push(`${p}files_written:`);
    for (const f of t.files_written) out.push(`${p}  - ${quote(f)}`);
  }
}

/** Empty maps print as a bare "key:" (null), as Pegasus does for jobids. */
function flatMap(out: Lines, at: number, name: string, m: Record<string, unknown>, value: (k: string, v: never) => string): void {
  out.push(`${sp(at)}${name}:`);
  for (const [k, v] of Object.entries(m)) {
    if (v !== undefined) out.push(`${sp(at + 2)}${value(k, v as never)}`);
  }
}

function genericScalar(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return scalar(v);
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return quote(v.toISOString());
  return quote(String(v));
}

const isNode = (v: unknown): v is object => typeof v === 'object' && v !== null && !(v instanceof Date);

const isNumberList = (v: object): v is number[] =>
  Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** Lines for a map's entries or a list's items at `at` (our own block, plain YAML). */
function generic(out: Lines, at: number, v: object): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (!isNode(item) || Object.keys(item).length === 0) {
        out.push(`${sp(at)}- ${isNode(item) ? (Array.isArray(item) ? '[]' : '{}') : genericScalar(item ?? null)}`);
        continue;
      }
      // The item's first line goes after "- "; the rest is indented under it.
      const first = out.length;
      generic(out, at + 2, item);
      out[first] = `${sp(at)}- ${out[first].slice(at + 2)}`;
    }
    return;
  }
  for (const [k, val] of Object.entries(v)) {
    if (val === undefined) continue;
    const key = `${sp(at)}${scalar(k)}:`;
    if (!isNode(val)) out.push(`${key} ${genericScalar(val)}`);
    // Number lists (the resource series: up to 600 each) take one flow line, not a line per item.
    else if (isNumberList(val)) out.push(`${key} [${val.map(num).join(', ')}]`);
    else if (Object.keys(val).length === 0) out.push(`${key} ${Array.isArray(val) ? '[]' : '{}'}`);
    else {
      out.push(key);
      generic(out, at + 2, val);
    }
  }
}

const JOBS: readonly JobName[] = ['setup', 'prejob', 'mainjob', 'postjob', 'cleanup'];
const QUOTED_IDS = ['transformation', 'derivation', 'resource', 'wf-label', 'wf-stamp'] as const;
const PLAIN_IDS = ['interface', 'hostaddr', 'hostname'] as const;

export function toYaml(r: InvocationRecord): string {
  const out: Lines = ['- invocation: True', '  version: 3.0'];
  out.push(`  start: ${stamp(r.start)}`, `  duration: ${fixed(r.duration, 3)}`);
  for (const k of QUOTED_IDS) if (r[k] !== undefined) out.push(`  ${k}: ${quote(r[k] as string)}`);
  for (const k of PLAIN_IDS) if (r[k] !== undefined) out.push(`  ${k}: ${scalar(r[k] as string)}`);
  out.push(
    `  pid: ${int(r.pid)}`, `  uid: ${int(r.uid)}`, `  user: ${scalar(r.user)}`,
    `  gid: ${int(r.gid)}`, `  group: ${scalar(r.group)}`, `  umask: ${octal(r.umask, 4)}`,
  );
  for (const name of JOBS) {
    const j = r[name];
    if (j) job(out, 2, name, j);
  }
  flatMap(out, 2, 'jobids', r.jobids ?? {}, (k, v: string) => `${scalar(k)}: ${quote(v)}`);
  out.push(`  cwd: ${scalar(r.cwd)}`);
  usage(out, 2, r.usage);
  if (r.machine) {
    flatMap(out, 2, 'machine', r.machine, (k, v: string | number) =>
      `${scalar(k)}: ${typeof v === 'string' ? scalar(v) : k.startsWith('load_') ? fixed(v, 2) : num(v)}`);
  }
  out.push('  files:');
  for (const [name, st] of Object.entries(r.files ?? {})) statBlock(out, 4, fromTools.has(st) ? quote(name) : scalar(name), st);
  if (r.environment) flatMap(out, 2, 'environment', r.environment, (k, v: string) => `${quote(k)}: ${quote(v)}`);
  if (r.limits) {
    flatMap(out, 2, 'limits', r.limits, (k, v: string | number) =>
      `${scalar(k)}: ${typeof v === 'number' ? num(v) : scalar(v)}`);
  }
  if (r.kickstart) {
    out.push('  kickstart:');
    generic(out, 4, r.kickstart);
  }
  return `${out.join('\n')}\n`;
}

/** The same record as one JSON line, for log pipelines that prefer it. */
export function toJsonLine(r: InvocationRecord): string {
  return `${JSON.stringify(r)}\n`;
}
