#!/usr/bin/env node
// Wrapper overhead: `kickstart /bin/true` against `node -e 0` and `/bin/true`,
// interleaved in one run (wall time of the whole command, ms).
// Targets (#16): the npm bin ≤ 1.1× node -e 0 at the median, ≤ 1.2× at p99.
// KICKSTART_BENCH_BINARY=path adds the single-file binary as a further figure.
//
// It also measures the V8 start-up snapshot route, which is not what the
// npm bin does: a user snapshot (`node --build-snapshot`) of dist/cli.cjs,
// built here in a temp dir, and an empty user snapshot of the same kind, so
// the table shows what deserializing a user snapshot costs against Node's
// built-in one on this Node.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, figure, interleave, isQuick, show } from './lib.mjs';

const rounds = isQuick() ? 20 : 100;
const bin = fileURLToPath(new URL('../../bin/kickstart.cjs', import.meta.url));
const cli = fileURLToPath(new URL('../../dist/cli.cjs', import.meta.url));
const binary = process.env.KICKSTART_BENCH_BINARY;
const dir = mkdtempSync(path.join(tmpdir(), 'ks-bench-snap-'));

/**
 * A snapshot entry that runs the CLI bundle while the snapshot is built and
 * calls main() after deserialization. Node 20's builder offers only built-in
 * modules to require(); the bundle's own lazy requires (transfer.cjs) get a
 * real require at run time.
 */
function snapshotEntry(source) {
  return `
const v8 = require('node:v8');
const { builtinModules, createRequire } = require('node:module');
let late;
const req = (id) => (id.startsWith('node:') || builtinModules.includes(id) ? require(id) : late(id));
const m = { exports: {} };
(function (exports, require, module, __filename, __dirname) {
${source}
})(m.exports, req, m, ${JSON.stringify(cli)}, ${JSON.stringify(path.dirname(cli))});
v8.startupSnapshot.setDeserializeMainFunction(() => {
  late = createRequire(${JSON.stringify(cli)});
  m.exports.main(process.argv.slice(1)).then((code) => process.exit(code));
});`;
}

function buildSnapshot(name, entry) {
  const js = path.join(dir, `${name}.js`);
  const blob = path.join(dir, `${name}.blob`);
  writeFileSync(js, entry);
  execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', js], { stdio: 'ignore' });
  return blob;
}

let s;
try {
  const cliBlob = buildSnapshot('cli', snapshotEntry(readFileSync(cli, 'utf8')));
  const emptyBlob = buildSnapshot('empty', "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});");
  s = interleave(
    [
      { name: '/bin/true', cmd: '/bin/true', args: [] },
      { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
      { name: 'kickstart', cmd: process.execPath, args: [bin, '-l', '/dev/null', '/bin/true'] },
      { name: 'kickstart -H', cmd: process.execPath, args: [bin, '-H', '-l', '/dev/null', '/bin/true'] },
      { name: 'snapshot', cmd: process.execPath, args: ['--snapshot-blob', cliBlob, '--', '-l', '/dev/null', '/bin/true'] },
      { name: 'empty snapshot', cmd: process.execPath, args: ['--snapshot-blob', emptyBlob] },
      ...(binary ? [{ name: 'binary', cmd: binary, args: ['-l', '/dev/null', '/bin/true'] }] : []),
    ],
    rounds,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const node = { name: 'node -e 0', samples: s['node -e 0'] };
const figures = [
  figure({ name: 'overhead: kickstart /bin/true (npm bin)', unit: 'ms', samples: s.kickstart, baseline: node, target: { ratio: 1.1 } }),
  figure({ name: 'overhead: kickstart /bin/true (npm bin)', unit: 'ms', stat: 'p99', samples: s.kickstart, baseline: node, target: { ratio: 1.2 } }),
  figure({ name: 'overhead: kickstart /bin/true', unit: 'ms', samples: s.kickstart, baseline: { name: '/bin/true', samples: s['/bin/true'] } }),
  figure({ name: 'overhead: kickstart -H /bin/true (no machine block, so no process census)', unit: 'ms', samples: s['kickstart -H'], baseline: node }),
  figure({ name: 'overhead: the CLI from a user V8 snapshot (node --snapshot-blob)', unit: 'ms', samples: s.snapshot, baseline: node, note: 'experiment, not shipped' }),
  figure({ name: 'overhead: the CLI from a user V8 snapshot', unit: 'ms', samples: s.snapshot, baseline: { name: 'npm bin (code cache)', samples: s.kickstart } }),
  figure({ name: 'overhead: an empty user V8 snapshot', unit: 'ms', samples: s['empty snapshot'], baseline: node, note: "a user snapshot's own start-up cost" }),
];
if (binary) figures.push(figure({ name: 'overhead: binary /bin/true', unit: 'ms', samples: s.binary, baseline: node }));
show(`overhead (${rounds} rounds, interleaved)`, figures);
emit('overhead', figures);
