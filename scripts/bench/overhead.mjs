#!/usr/bin/env node
// Wrapper overhead: `kickstart /bin/true` against `node -e 0` and `/bin/true`,
// interleaved in one run; medians in ms. Target: kickstart <= 1.3x node -e 0.
import { fileURLToPath } from 'node:url';
import { fmt, interleave, report, summary } from './lib.mjs';

const quick = process.argv.includes('--quick');
const rounds = quick ? 20 : 100;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));
const extra = process.env.KICKSTART_BENCH_BINARY ? [{ name: 'kickstart binary', cmd: process.env.KICKSTART_BENCH_BINARY, args: ['-H', '/bin/true'] }] : [];
const s = interleave(
  [
    { name: '/bin/true', cmd: '/bin/true', args: [] },
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
    { name: 'kickstart /bin/true', cmd: process.execPath, args: [bin, '/bin/true'] },
    { name: 'kickstart -H /bin/true', cmd: process.execPath, args: [bin, '-H', '/bin/true'] },
    ...extra,
  ],
  rounds,
);
const m = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, summary(v)]));
const node = m['node -e 0'].median;
const rows = Object.entries(m).map(([k, v]) => ({
  figure: `${k} (median, p90)`,
  value: `${fmt(v.median)} / ${fmt(v.p90)}`,
  unit: 'ms',
  note: k.startsWith('kickstart') ? `${fmt(v.median / node)}x node -e 0, ${fmt(v.median / m['/bin/true'].median, 1)}x /bin/true` : '',
}));
rows.push({ figure: 'ratio kickstart /bin/true : node -e 0', value: fmt(m['kickstart /bin/true'].median / node), unit: 'x', note: 'target <= 1.3' });
report(`overhead (${rounds} rounds)`, rows);
