#!/usr/bin/env node
// The single-file binary: its size, and its start-up as a wrapper,
// `kickstart-linux-x64 /bin/true` against `node -e 0` and against the npm bin
// `node bin/kickstart.cjs /bin/true`, interleaved in one run (wall time of
// the whole command, ms). Targets (#16): ≤ 1.1× node -e 0 at the median,
// ≤ 1.2× at p99.
// Build it first: `npm run build:binary`.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emit, figure, interleave, isQuick, show, skip } from './lib.mjs';

const rounds = isQuick() ? 20 : 100;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));
const binary = fileURLToPath(new URL(`../../dist/kickstart-${process.platform}-${process.arch}`, import.meta.url));
if (!existsSync(binary)) {
  skip('binary', `${binary} is not built: run \`npm run build:binary\``);
  process.exit(0);
}
// Records to /dev/null: the figure is start-up, not writing YAML to a pipe.
const s = interleave(
  [
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
    { name: 'npm bin', cmd: process.execPath, args: [bin, '-l', '/dev/null', '/bin/true'] },
    { name: 'binary', cmd: binary, args: ['-l', '/dev/null', '/bin/true'] },
    { name: 'binary --version', cmd: binary, args: ['--version'] },
  ],
  rounds,
);
const node = { name: 'node -e 0', samples: s['node -e 0'] };
const size = statSync(binary).size / 2 ** 20;
const figures = [
  figure({ name: 'binary /bin/true', unit: 'ms', samples: s.binary, baseline: node, target: { ratio: 1.1 } }),
  figure({ name: 'binary /bin/true', unit: 'ms', stat: 'p99', samples: s.binary, baseline: node, target: { ratio: 1.2 } }),
  figure({ name: 'binary /bin/true', unit: 'ms', samples: s.binary, baseline: { name: 'npm bin /bin/true', samples: s['npm bin'] } }),
  figure({ name: 'npm bin /bin/true', unit: 'ms', samples: s['npm bin'], baseline: node, target: { ratio: 1.1 } }),
  figure({ name: 'npm bin /bin/true', unit: 'ms', stat: 'p99', samples: s['npm bin'], baseline: node, target: { ratio: 1.2 } }),
  figure({ name: 'binary --version (start-up, no job)', unit: 'ms', samples: s['binary --version'], baseline: node }),
  figure({ name: 'binary size', unit: 'MiB', samples: [Math.round(size * 10) / 10], baseline: { name: 'node', samples: [Math.round((statSync(process.execPath).size / 2 ** 20) * 10) / 10] } }),
];
show(`single-file binary (${rounds} rounds, interleaved)`, figures);
emit('binary', figures);
