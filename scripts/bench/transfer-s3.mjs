#!/usr/bin/env node
// Benchmark of the transfer step on a real S3 server against the S3 SDK's
// own transfer of the same file, in one run.
//
//   node scripts/bench/transfer-s3.mjs [--quick] [--size MiB] [--rounds N] [--start-server]
//
// Needs a server: S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// S3_BUCKET in the environment (what scripts/s3/s3-server.sh writes to its
// s3.env, and what `npm run bench -- --s3` exports); without them it prints
// a skip line, unless --start-server starts a throw-away one (root only).
//
// Per round, on a file of random bytes (1 GiB, 3 rounds; --quick: 64 MiB, 2
// rounds), each step a process of its own, timed from spawn to exit (both
// sides pay Node's start-up and the SDK's loading alike):
//   kickstart:  `kickstart transfer --out` (SHA-256 of every byte, manifest
//               written last) and `kickstart transfer --in` (verified, renamed into place)
//   SDK:        lib-storage Upload of the file with its default part and
//               queue sizes, and GetObject piped to a file
// Each side's objects are deleted before the other side uploads, so the
// default 4 GiB memstore holds the 1 GiB run.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, figure, removeS3Prefix, show, skip } from './lib.mjs';

const BENCH = 'transfer-s3';
// Node 20 is what we support; the SDK's "upgrade Node" notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const num = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
// --quick moves 4 x 64 MiB per round: this gateway on 2 shared cores does
// 20-50 MB/s, so 256 MiB rounds alone would take a minute.
const sizeMiB = num('--size', quick ? 64 : 1024);
const rounds = num('--rounds', quick ? 2 : 3);
const say = (s) => process.stderr.write(s + '\n');
const NEEDED = ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'S3_BUCKET'];

// The baseline: the SDK's own way of moving one file, defaults as shipped
// except CRC checksums, which kickstart does not send either (it hashes with
// SHA-256 itself), so the SDK side does strictly less work.
const SDK_CHILD = String.raw`
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
const [dir, file, key] = process.argv.slice(2);
const client = new S3Client({
  endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, region: process.env.AWS_REGION || 'us-east-1',
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
});
const Bucket = process.env.S3_BUCKET;
if (dir === 'out') {
  await new Upload({ client, params: { Bucket, Key: key, Body: createReadStream(file) } }).done();
} else {
  const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
  await pipeline(res.Body, createWriteStream(file));
}
client.destroy();
`;

const noServer = NEEDED.some((k) => !process.env[k]);
if (noServer && !args.includes('--start-server')) {
  skip(BENCH, 'no S3 server: set S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_BUCKET (see scripts/s3/s3-server.sh), or pass --start-server');
} else {
  let server;
  const base = mkdtempSync(path.join(tmpdir(), 'ks-bench-s3-'));
  try {
    if (noServer) server = startServer(base);
    await main(base);
  } finally {
    if (server) stopServer(server);
    rmSync(base, { recursive: true, force: true });
  }
}

async function main(base) {
  const cli = path.join(root, 'bin/kickstart.cjs');
  if (!existsSync(path.join(root, 'dist/cli.cjs'))) throw new Error('dist/cli.cjs is missing: run `node scripts/build.mjs` first');
  const work = path.join(base, 'work');
  const src = path.join(work, 'ckpt.bin');
  mkdirSync(work);
  say(`bench: writing ${sizeMiB} MiB of random data; server ${process.env.S3_ENDPOINT}`);
  makeFile(src, sizeMiB << 20);
  const want = await sha256(src);
  const check = async (copy) => {
    if ((await sha256(copy)) !== want) throw new Error(`${copy} differs from the original`);
  };
  const sdkChild = path.join(base, 'sdk.mjs');
  writeFileSync(sdkChild, SDK_CHILD);
  symlinkSync(path.join(root, 'node_modules'), path.join(base, 'node_modules'), 'dir');

  const bucket = process.env.S3_BUCKET;
  const run = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const t = { out: [], in: [], sdkOut: [], sdkIn: [] };
  for (let r = 1; r <= rounds; r++) {
    const staging = `s3://${bucket}/${run}/r${r}`;
    const common = ['--staging', staging, '--job-id', 'bench', '--s3-endpoint', process.env.S3_ENDPOINT, '--no-progress'];
    const restore = path.join(base, `restore-${r}`);
    const sdkKey = `${run}/sdk-${r}/ckpt.bin`;
    const sdkCopy = path.join(base, `sdk-${r}.bin`);
    mkdirSync(restore);
    // One side at a time, its objects deleted before the other side's go
    // up (the server never holds more than one copy, plus garbage radosgw
    // collects within seconds); which side goes first alternates per round.
    const sides = [
      async () => {
        t.out.push(await timed(process.execPath, [cli, 'transfer', '--out', '--workdir', work, '--checkpoint', 'ckpt.bin', ...common], base));
        t.in.push(await timed(process.execPath, [cli, 'transfer', '--in', '--workdir', restore, ...common], base));
        await check(path.join(restore, 'ckpt.bin'));
      },
      async () => {
        t.sdkOut.push(await timed(process.execPath, [sdkChild, 'out', src, sdkKey], base));
        t.sdkIn.push(await timed(process.execPath, [sdkChild, 'in', sdkCopy, sdkKey], base));
        await check(sdkCopy);
      },
    ];
    try {
      for (const side of r % 2 ? sides : sides.reverse()) {
        await side();
        await removeS3Prefix(`${run}/`);
      }
    } finally {
      rmSync(restore, { recursive: true, force: true });
      rmSync(sdkCopy, { force: true });
      await removeS3Prefix(`${run}/`);
    }
    say(`bench: round ${r}/${rounds}: stage-out ${f(t.out.at(-1))} s vs Upload ${f(t.sdkOut.at(-1))} s; stage-in ${f(t.in.at(-1))} s vs GetObject ${f(t.sdkIn.at(-1))} s`);
  }
  const figures = [
    figure({ name: `stage-out ${sizeMiB} MiB, S3`, unit: 's', samples: t.out, baseline: { name: 'SDK Upload', samples: t.sdkOut }, target: { ratio: 1.1 }, note: 'SHA-256 of every byte + manifest' }),
    figure({ name: `stage-in ${sizeMiB} MiB, S3 (verified)`, unit: 's', samples: t.in, baseline: { name: 'SDK GetObject', samples: t.sdkIn }, target: { ratio: 1.1 }, note: 'SHA-256 checked, renamed into place' }),
  ];
  show(`${BENCH} (${sizeMiB} MiB, ${rounds} rounds, Ceph RGW memstore on 127.0.0.1)`, figures);
  emit(BENCH, figures);
}

/** Wall time of one process, spawn to exit, in seconds; stderr shown on failure. */
function timed(cmd, argv, cwd) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c) => (err = (err + c).slice(-2000)));
    p.on('error', reject);
    p.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`${path.basename(argv[0])} ${argv.slice(1, 3).join(' ')} exited ${code}: ${err.trim().split('\n').at(-1)}`));
      else resolve(s);
    });
  });
}

async function sha256(p) {
  const h = createHash('sha256');
  for await (const c of createReadStream(p, { highWaterMark: 4 << 20 })) h.update(c);
  return h.digest('hex');
}

function makeFile(p, bytes) {
  const fd = openSync(p, 'w');
  const buf = Buffer.alloc(4 << 20);
  for (let left = bytes; left > 0; left -= buf.length) writeSync(fd, randomFillSync(buf), 0, Math.min(buf.length, left));
  closeSync(fd);
}

function f(x) {
  return x.toFixed(2);
}

function startServer(base) {
  const script = path.join(root, 'scripts/s3/s3-server.sh');
  const dir = path.join(base, 's3');
  say('bench: starting a throw-away S3 server (scripts/s3/s3-server.sh)');
  execFileSync('bash', [script, 'start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (const line of readFileSync(path.join(dir, 's3.env'), 'utf8').split('\n')) {
    const kv = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (kv) process.env[kv[1]] = kv[2];
  }
  return { script, dir };
}

function stopServer({ script, dir }) {
  execFileSync('bash', [script, 'stop', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
}
