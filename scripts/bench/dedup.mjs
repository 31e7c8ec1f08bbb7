#!/usr/bin/env node
// Benchmark of content-addressed generations (issue #17) against `cp` of the
// same file, in one run.
//
//   node scripts/bench/dedup.mjs [--quick] [--size MiB] [--rounds N]
//
// Per round, on a file of random bytes (1 GiB, 3 rounds; --quick: 64 MiB, 2
// rounds) and a fresh file:// staging dir, each stage-out a process of its
// own (timed inside, from the call to its result):
//   first     the first generation: every chunk is new
//   unchanged the same file again (target: <= 0.4x cp, 0 bytes sent; its
//             identity is the one the manifest recorded, so it is not read)
//   1 %       a contiguous 1 % of the file rewritten in place
//   append    16 MiB appended
// With S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and S3_BUCKET
// set (npm run bench -- --s3), the same steps run against S3 through a
// counting TCP proxy, which reports the requests per step by method.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { emit, figure, libraryUrl, makeFile, removeS3Prefix, runChild, show, timeCmd } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const num = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const sizeMiB = num('--size', quick ? 64 : 1024);
const rounds = num('--rounds', quick ? 2 : 3);
const MiB = 1 << 20;
const say = (s) => process.stderr.write(s + '\n');
const s3 = ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET'].every((k) => process.env[k]);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const CHILD = String.raw`
const [lib, json] = process.argv.slice(2);
const o = JSON.parse(json);
const { stageOut } = await import(lib);
const t0 = process.hrtime.bigint();
const r = await stageOut({ checkpoints: ['ckpt.bin'], cwd: o.cwd, staging: o.staging, jobId: 'bench', attempt: 1, keep: 2, ...(o.endpoint ? { site: { s3Endpoint: o.endpoint } } : {}) });
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({ result: r.result, error: r.error, seconds, dedup: r.dedup }));
`;

const base = mkdtempSync(path.join(tmpdir(), 'ks-bench-dedup-'));
try {
  const lib = await libraryUrl(base);
  const child = path.join(base, 'child.mjs');
  writeFileSync(child, CHILD);
  symlinkSync(path.join(root, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  const work = path.join(base, 'work');
  spawnSync('mkdir', ['-p', work]);
  const src = path.join(work, 'ckpt.bin');
  const figures = [];
  const kinds = s3 ? ['file', 's3'] : ['file'];
  for (const kind of kinds) {
    const t = { cp: [], first: [], unchanged: [], changed: [], append: [] };
    const sent = { unchanged: [], changed: [], append: [] };
    const requests = {};
    for (let r = 1; r <= rounds; r++) {
      makeFile(src, sizeMiB * MiB);
      t.cp.push(timeCmd('cp', [src, path.join(base, 'copy')]));
      rmSync(path.join(base, 'copy'), { force: true });
      const counter = kind === 's3' ? await countingProxy(new URL(process.env.S3_ENDPOINT)) : undefined;
      const prefix = `bench-dedup-${randomBytes(4).toString('hex')}`;
      const staging = kind === 's3' ? `s3://${process.env.S3_BUCKET}/${prefix}` : pathToFileURL(path.join(base, `stage-${r}`)).href;
      const ship = async (step) => {
        counter?.reset();
        const out = await runChild(child, lib, { cwd: work, staging, endpoint: counter ? `http://127.0.0.1:${counter.port}` : undefined });
        if (counter) (requests[step] ??= []).push(counter.counts());
        return out;
      };
      t.first.push((await ship('first')).seconds);
      const same = await ship('unchanged');
      t.unchanged.push(same.seconds);
      // 'unchanged': the files are those of the newest generation, nothing is published or sent.
      sent.unchanged.push((same.dedup?.bytes_new ?? 0) / MiB);
      const region = Math.floor((sizeMiB * MiB) / 100);
      const fd = openSync(src, 'r+');
      writeSync(fd, randomBytes(region), 0, region, Math.floor(Math.random() * (sizeMiB * MiB - region)));
      closeSync(fd);
      const changed = await ship('1 % changed');
      t.changed.push(changed.seconds);
      sent.changed.push((100 * changed.dedup.bytes_new) / changed.dedup.bytes_total);
      const fa = openSync(src, 'a');
      writeSync(fa, randomBytes(16 * MiB));
      closeSync(fa);
      const appended = await ship('append 16 MiB');
      t.append.push(appended.seconds);
      sent.append.push(appended.dedup.bytes_new / MiB);
      say(
        `bench dedup ${kind}: round ${r}/${rounds}: cp ${f(t.cp.at(-1))} s, first ${f(t.first.at(-1))} s, unchanged ${f(same.seconds)} s (${sent.unchanged.at(-1)} MiB sent), ` +
          `1 % ${f(changed.seconds)} s (${f(sent.changed.at(-1))} % sent), append ${f(appended.seconds)} s (${f(sent.append.at(-1))} MiB sent)`,
      );
      if (kind === 'file') rmSync(path.join(base, `stage-${r}`), { recursive: true, force: true });
      // Each round's generations go, or three rounds of 1 GiB overfill the test gateway.
      else await removeS3Prefix(`${prefix}/`);
      await counter?.close();
    }
    const cp = { name: 'cp', samples: t.cp };
    const at = kind === 's3' ? 'S3' : 'file://';
    const req = (step) => (requests[step] ? `; requests: ${describeCounts(requests[step].at(-1))}` : '');
    figures.push(
      figure({ name: `first stage-out ${sizeMiB} MiB (all chunks new), ${at}`, unit: 's', samples: t.first, baseline: cp, note: `every chunk cut, hashed and put${req('first')}` }),
      figure({ name: `re-ship of an unchanged ${sizeMiB} MiB, ${at}`, unit: 's', samples: t.unchanged, baseline: cp, target: kind === 'file' ? { ratio: 0.4 } : undefined, note: `${Math.max(...sent.unchanged)} MiB of chunks sent${req('unchanged')}` }),
      figure({ name: `re-ship with 1 % changed (contiguous), ${at}`, unit: 's', samples: t.changed, baseline: cp, note: `median ${f(median(sent.changed))} % of the bytes sent${req('1 % changed')}` }),
      figure({ name: `share of bytes sent, 1 % changed, ${at}`, unit: '%', samples: sent.changed, target: { max: 5 } }),
      figure({ name: `re-ship with 16 MiB appended, ${at}`, unit: 's', samples: t.append, baseline: cp, note: `median ${f(median(sent.append))} MiB sent (16 MiB + at most one 4 MiB chunk)${req('append 16 MiB')}` }),
    );
  }
  show(`dedup (${sizeMiB} MiB, ${rounds} rounds)`, figures);
  emit('dedup', figures);
} finally {
  rmSync(base, { recursive: true, force: true });
}

function f(x) {
  return x.toFixed(3);
}

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}



function describeCounts(c) {
  return Object.entries(c)
    .map(([m, n]) => `${n} ${m}`)
    .join(', ') || 'none';
}

/**
 * A TCP proxy to the S3 endpoint that counts HTTP requests by method (each
 * request line sent upstream; bodies are random bytes, which never hold one).
 */
function countingProxy(upstream) {
  const sockets = new Set();
  let counts = {};
  const LINE = /(GET|PUT|POST|DELETE|HEAD) \S+ HTTP\/1\.1\r\n/g;
  const server = net.createServer((client) => {
    const up = net.connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(up);
    let tail = '';
    const kill = () => (client.destroy(), up.destroy());
    client.on('error', kill).on('close', kill);
    up.on('error', kill).on('close', kill);
    up.on('data', (c) => client.write(c));
    client.on('data', (c) => {
      const text = tail + c.toString('latin1');
      for (const m of text.matchAll(LINE)) {
        const isQuery = m[0].includes('?');
        const name = m[1] === 'GET' && isQuery && /[?&](list-type|uploads|prefix)/.test(m[0]) ? 'LIST' : m[1];
        counts[name] = (counts[name] ?? 0) + 1;
      }
      tail = text.slice(-64);
      up.write(c);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        reset: () => (counts = {}),
        counts: () => ({ ...counts }),
        close: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
      }),
    );
  });
}
