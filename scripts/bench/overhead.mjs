#!/usr/bin/env node
// Wrapper overhead: `kickstart /bin/true` against `node -e 0` and `/bin/true`,
// interleaved in one run (wall time of the whole command, ms).
// Target: kickstart ≤ 1.3× node -e 0. KICKSTART_BENCH_BINARY=path adds the
// single-file binary as a further figure.
import { fileURLToPath } from 'node:url';
import { emit, figure, interleave, isQuick, show } from './lib.mjs';

const rounds = isQuick() ? 20 : 100;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));
const binary = process.env.KICKSTART_BENCH_BINARY;
const s = interleave(
  [
    { name: '/bin/true', cmd: '/bin/true', args: [] },
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
    { name: 'kickstart', cmd: process.execPath, args: [bin, '/bin/true'] },
    { name: 'kickstart -H', cmd: process.execPath, args: [bin, '-H', '/bin/true'] },
    ...(binary ? [{ name: 'binary', cmd: binary, args: ['-H', '/bin/true'] }] : []),
  ],
  rounds,
);
const node = { name: 'node -e 0', samples: s['node -e 0'] };
const figures = [
  figure({ name: 'overhead: kickstart /bin/true', unit: 'ms', samples: s.kickstart, baseline: node, target: { ratio: 1.3 } }),
  figure({ name: 'overhead: kickstart /bin/true', unit: 'ms', samples: s.kickstart, baseline: { name: '/bin/true', samples: s['/bin/true'] } }),
  figure({ name: 'overhead: kickstart -H /bin/true (no machine block)', unit: 'ms', samples: s['kickstart -H'], baseline: node, target: { ratio: 1.3 } }),
];
if (binary) figures.push(figure({ name: 'overhead: binary -H /bin/true', unit: 'ms', samples: s.binary, baseline: node }));
show(`overhead (${rounds} rounds, interleaved)`, figures);
emit('overhead', figures);
