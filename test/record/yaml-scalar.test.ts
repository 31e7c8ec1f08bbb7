import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixed, isPlainSafe, literalBlock, num, octal, quote, scalar } from '../../src/record/yaml-scalar.js';

const SCHEMAS = ['core', 'yaml-1.1'] as const;

// Deterministic generator so a failure names a reproducible string.
function* strings(count: number, alphabet: string[], maxLen: number, seed = 42): Generator<string> {
  let x = seed;
  const rand = (n: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  for (let i = 0; i < count; i++) {
    let s = '';
    for (let n = rand(maxLen + 1); n > 0; n--) s += alphabet[rand(alphabet.length)];
    yield s;
  }
}

const TRICKY = [...' :#-?0123456789.eExXoObB_+~"\'\t\n\r,[]{}!&*|>%@`aTyYnNul', 'ü', '\u2028', '\x85', '\x00', '\x7f', 'inf', 'nan', 'true', 'null', 'yes', '2026-11-25', 'T04:55'];

const PLAIN_SAMPLES = [
  'root', 'eth0', '192.0.2.2', '6.18.44-fc-v657', 'x86_64', 'AMD EPYC', 'unlimited',
  '/home/user/job', '2   No such file or directory', 'ns::xform:1.0', 'a-b', 'C.UTF-8',
];
const QUOTED_SAMPLES = [
  '', ' x', 'x ', 'yes', 'No', 'on', 'OFF', 'y', '~', 'null', 'True', '1', '-1', '1.5', '.5', '1e3',
  '1_000', '.', 'e7', '_', '0x1F', '0o17', '017', '0b101', '1:30', '190:20:30.15', '.inf', '-.INF', '.NaN',
  '2026-11-25', '2026-1-5 x', 'a: b', 'a #b', 'a:', '- a', '-', '? x', ':x', '#x', '&a', '*a', '!t',
  '|', '>', "'", '"', '%x', '@x', '`x', '[a]', '{a}', ',a', '<<', '=', '---', '...', 'ü', 'a\tb', 'a\nb',
];

describe('plain scalars', () => {
  it('keeps Pegasus-style bare values bare', () => {
    for (const s of PLAIN_SAMPLES) expect(isPlainSafe(s), s).toBe(true);
  });

  it('quotes anything a YAML 1.1 or 1.2 loader would read differently', () => {
    for (const s of QUOTED_SAMPLES) expect(isPlainSafe(s), JSON.stringify(s)).toBe(false);
  });

  it('round-trips 20000 generated strings as values and keys under both schemas', () => {
    const bad: string[] = [];
    for (const s of strings(20_000, TRICKY, 8)) {
      for (const schema of SCHEMAS) {
        const asValue = parse(`k: ${scalar(s)}\n`, { schema });
        const asKey = parse(`${scalar(s)}: v\n`, { schema });
        if (asValue?.k !== s || Object.keys(asKey ?? {})[0] !== s) bad.push(`${schema} ${JSON.stringify(s)}`);
      }
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  const hasPyYaml = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasPyYaml)('round-trips the same strings through PyYAML', () => {
    const samples = [...PLAIN_SAMPLES, ...QUOTED_SAMPLES, ...strings(5000, TRICKY, 8)].filter((s) => !s.includes('\x00'));
    const doc = samples.map((s, i) => `k${i}: ${scalar(s)}`).join('\n');
    const script = 'import sys, json, yaml; d = yaml.safe_load(sys.stdin); print(json.dumps([d["k%d" % i] for i in range(len(d))]))';
    const out = JSON.parse(execFileSync('python3', ['-c', script], { input: doc }).toString());
    expect(out).toEqual(samples);
  });
});

describe('quote', () => {
  it('escapes what JSON leaves raw but YAML reads as breaks or controls', () => {
    expect(quote('\u0085\u2028\u2029\ufeff\x7f')).toBe('"\\u0085\\u2028\\u2029\\ufeff\\u007f"');
    expect(quote('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
  });
});

describe('literalBlock', () => {
  it("matches Pegasus's shape: '|', indented lines, one indented blank line", () => {
    expect(literalBlock('hello world\n', 8)).toBe('|\n        hello world\n        \n');
    expect(literalBlock('no newline', 4)).toBe('|-\n    no newline\n    \n');
  });

  it('refuses texts a block would not carry verbatim', () => {
    for (const s of ['', '\n', ' lead\n', '\n lead', '\tlead', 'a\r\n', 'a\n\n', 'a\x00', 'a\u2028b', '\ud800']) {
      expect(literalBlock(s, 8), JSON.stringify(s)).toBeUndefined();
    }
  });

  it('round-trips generated multi-line texts (block or quoted fallback)', () => {
    const alphabet = [...'ab #:-" \t\n\n\n\r', 'ü', '|', '---', '...'];
    const bad: string[] = [];
    for (const s of strings(10_000, alphabet, 14, 7)) {
      const block = literalBlock(s, 6);
      const text = `- f:\n    data: ${block ?? `${quote(s)}\n`}    next: 1\n`;
      for (const schema of SCHEMAS) {
        const d = parse(text, { schema });
        if (d[0].f.data !== s || d[0].f.next !== 1) bad.push(`${schema} ${JSON.stringify(s)}`);
      }
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });
});

describe('numbers', () => {
  it('formats like printf and keeps non-finite values numeric', () => {
    expect(fixed(0.0084, 3)).toBe('0.008');
    expect(fixed(0.46, 2)).toBe('0.46');
    expect(fixed(Number.NaN, 3)).toBe('.nan');
    expect(num(1e21)).toBe('1.0e+21');
    expect(num(-Infinity)).toBe('-.inf');
    expect(octal(0o100755)).toBe('0o100755');
    expect(octal(0o022, 4)).toBe('0o0022');
    expect(octal(0o20666)).toBe('0o20666');
  });
});
