import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FIXTURES } from '../helpers/run.js';
import { toJsonLine, toYaml } from '../../src/record/yaml.js';
import { buildRecord, DATA, kickstartBlock, TRICKY_ARGS, type MainKind } from './build-record.js';

const REF_DIR = join(FIXTURES, 'pegasus-records');
const refs = readdirSync(REF_DIR).filter((f) => f.endsWith('.yml')).sort();
const SCHEMAS = ['core', 'yaml-1.1'] as const;
type Schema = (typeof SCHEMAS)[number];

const load = (text: string, schema: Schema): Record<string, any> => {
  const doc = parse(text, { schema });
  expect(Array.isArray(doc)).toBe(true);
  expect(doc).toHaveLength(1);
  return doc[0];
};

const typeOf = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : v instanceof Date ? 'date' : typeof v;

// Pegasus prints these empty as a bare "key:" (null); ours may hold values.
const NULL_WHEN_EMPTY = new Set(['argument_vector', 'jobids', 'cwd']);
// Machine counters Pegasus prints only when non-zero.
const CONDITIONAL = /^(procs|task)_(zombie|stopped|waiting)$/;

/** Every key path of `ref` must exist in `ours` with the same loaded type. */
function sameShape(ref: unknown, ours: unknown, path: string, problems: string[]): void {
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (typeOf(ref) !== typeOf(ours) && !(ref === null && NULL_WHEN_EMPTY.has(key))) {
    problems.push(`${path}: reference ${typeOf(ref)}, ours ${typeOf(ours)}`);
    return;
  }
  if (typeOf(ref) !== 'object') return; // list items and scalars stop here
  const r = ref as Record<string, unknown>;
  const o = ours as Record<string, unknown>;
  if (key === 'environment') return; // variable names differ by design
  const sideStatus = key === 'status' && !path.endsWith('mainjob.status');
  for (const k of Object.keys(r)) {
    if (sideStatus && k !== 'raw') continue; // side jobs cover other status kinds
    if (!(k in o)) {
      if (!CONDITIONAL.test(k)) problems.push(`${path}.${k}: missing`);
      continue;
    }
    sameShape(r[k], o[k], `${path}.${k}`, problems);
  }
}

const kindOf = (rec: Record<string, any>): MainKind =>
  'regular_exitcode' in rec.mainjob.status ? 'exit' : 'signalled_signal' in rec.mainjob.status ? 'signal' : 'failure';

const records = { exit: buildRecord('exit'), signal: buildRecord('signal'), failure: buildRecord('failure') };
const texts = { exit: toYaml(records.exit), signal: toYaml(records.signal), failure: toYaml(records.failure) };
const namedStdoutText = toYaml(buildRecord('exit', { namedStdout: true }));

describe('toYaml against the pegasus-kickstart reference records', () => {
  for (const schema of SCHEMAS) {
    for (const file of refs) {
      it(`${file} (${schema}): every reference key path loads with the same type from ours`, () => {
        const ref = load(readFileSync(join(REF_DIR, file), 'utf8'), schema);
        const kind = kindOf(ref);
        const ours = load('file_name' in ref.files.stdout ? namedStdoutText : texts[kind], schema);
        const problems: string[] = [];
        sameShape(ref, ours, 'record', problems);
        expect(problems).toEqual([]);
        expect(Object.keys(ours).filter((k) => k in ref)).toEqual(Object.keys(ref));
        expect(Object.keys(ours.mainjob.status).sort()).toEqual(Object.keys(ref.mainjob.status).sort());
      });
    }
  }

  it('uses the whole-record key order of the references', () => {
    const ours = Object.keys(load(texts.exit, 'core'));
    expect(ours).toEqual([
      'invocation', 'version', 'start', 'duration', 'transformation', 'derivation', 'resource',
      'wf-label', 'wf-stamp', 'interface', 'hostaddr', 'hostname', 'pid', 'uid', 'user', 'gid',
      'group', 'umask', 'setup', 'prejob', 'mainjob', 'postjob', 'cleanup', 'jobids', 'cwd',
      'usage', 'machine', 'files', 'environment', 'limits', 'kickstart',
    ]);
  });

  it('spells shared lines exactly as Pegasus does', () => {
    const t = texts.exit;
    expect(t.startsWith('- invocation: True\n  version: 3.0\n  start: ')).toBe(true);
    expect(t).toMatch(/^ {2}umask: 0o0022$/m);
    expect(t).toMatch(/^ {6}mode: 0o100755$/m);
    expect(t).toMatch(/^ {6}regular_exitcode: 3$/m);
    expect(t).toMatch(/^ {6}utime: 0\.002$/m);
    expect(t).toMatch(/^ {4}load_min1: \d+\.\d\d$/m);
    expect(t).toMatch(/^ {6}checksum_timing: 0\.01$/m);
    expect(t).toMatch(/^ {6}output: True$/m);
    expect(t).toMatch(/^ {6}data_truncated: false$/m);
    expect(t).toMatch(/^ {2}transformation: "ns::xform:1\.0"$/m);
    expect(t).toMatch(/^ {2}hostaddr: 192\.0\.2\.2$/m);
    expect(t).toMatch(/^ {4}"PATH": "\/usr\/local\/bin:\/usr\/bin:\/bin"$/m);
    expect(t).toMatch(/^ {4}RLIMIT_CPU_soft: (unlimited|\d+)$/m);
    expect(t).toMatch(/^ {4}procs:\n {2}prejob:$/m);
    expect(t).toMatch(/^ {4}argument_vector:\n {4}procs:$/m);
    expect(t).toMatch(/^ {2}jobids:\n {4}condor: "123\.0"$/m);
    expect(texts.signal).toMatch(/^ {6}singalled_name: "Segmentation fault"\n {6}corefile: true$/m);
    expect(texts.failure).toMatch(/^ {6}raw: -127\n {6}failure_error: 2 {3}No such file or directory$/m);
    expect(texts.failure).toMatch(/^ {6}error: 2\n {6}file_name: \/nonexistent\/foo$/m);
    // Pegasus's data block: "|", lines at 8 spaces, then one indented blank line.
    expect(t).toContain('      data: |\n        hello "world": it\'s #1\n        \ttabbed line\n');
    expect(t).toContain('        ünïcødé ✓\n        \n          indented later\n        \n');
    expect(t).toContain('      data: |-\n        partial line without newline\n        \n');
    expect(t).toContain('      data: ""\n');
    const empty = toYaml({ ...records.exit, jobids: {} });
    expect(empty).toMatch(/^ {2}jobids:\n {2}cwd: /m);
  });

  it('loads the reference records the same way under both schemas', () => {
    for (const file of refs) {
      const text = readFileSync(join(REF_DIR, file), 'utf8');
      const core = load(text, 'core');
      const v11 = load(text, 'yaml-1.1');
      expect(core.invocation).toBe(true);
      expect(v11.invocation).toBe(true);
      expect(core.version).toBe(3);
      expect(v11.version).toBe(3);
      expect(Object.keys(core)).toEqual(Object.keys(v11));
    }
  });
});

describe('round trip', () => {
  for (const schema of SCHEMAS) {
    it(`argument vectors, environment, data and the kickstart block load back unchanged (${schema})`, () => {
      const ours = load(texts.exit, schema);
      expect(ours.mainjob.argument_vector).toEqual(TRICKY_ARGS);
      expect(ours.prejob.argument_vector).toBeNull();
      expect(ours.environment).toEqual(records.exit.environment);
      for (const [name, data] of Object.entries(DATA)) expect(ours.files[name].data).toBe(data);
      expect(ours.kickstart).toEqual(JSON.parse(JSON.stringify(kickstartBlock())));
      expect(ours.mainjob.status).toEqual(records.exit.mainjob!.status);
    });
  }

  it('carries the same data as the JSON line (core schema)', () => {
    for (const r of Object.values(records)) {
      const fromYaml = load(toYaml(r), 'core');
      const fromJson = JSON.parse(toJsonLine(r));
      // The documented differences: "3.0" is a float in YAML, empty lists and
      // maps print as bare keys, and Pegasus's empty `procs:` exists only in YAML.
      fromYaml.version = '3.0';
      fromYaml.jobids ??= {};
      for (const job of ['setup', 'prejob', 'mainjob', 'postjob', 'cleanup']) {
        expect(fromYaml[job].procs).toBeNull();
        delete fromYaml[job].procs;
        fromYaml[job].argument_vector ??= [];
      }
      expect(fromYaml).toEqual(fromJson);
    }
  });

  it('writes the JSON line as one line', () => {
    const line = toJsonLine(records.signal);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });

  const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasPyYaml)('loads in PyYAML (what Pegasus tools use) with the same strings', () => {
    const script = [
      'import sys, json, yaml',
      'r = yaml.safe_load(sys.stdin)[0]',
      'print(json.dumps({"argv": r["mainjob"]["argument_vector"], "env": r["environment"],',
      '  "data": {k: v.get("data") for k, v in r["files"].items()}, "ks": r["kickstart"],',
      '  "invocation": r["invocation"], "status": r["mainjob"]["status"]}))',
    ].join('\n');
    const out = execFileSync('python3', ['-c', script], { input: texts.exit, maxBuffer: 1 << 26 }).toString();
    const py = JSON.parse(out);
    expect(py.argv).toEqual(TRICKY_ARGS);
    expect(py.env).toEqual(records.exit.environment);
    for (const [name, data] of Object.entries(DATA)) expect(py.data[name]).toBe(data);
    expect(py.ks).toEqual(JSON.parse(JSON.stringify(kickstartBlock())));
    expect(py.invocation).toBe(true);
    expect(py.status).toEqual({ raw: 768, regular_exitcode: 3 });
  });
});
