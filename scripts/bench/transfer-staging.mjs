#!/usr/bin/env node
// Benchmark of the transfer step to sftp:// and davs:// sites on real servers
// (OpenSSH's sshd, nginx with WebDAV over TLS; scripts/staging/servers.sh
// starts both on 127.0.0.1) against the usual tools moving the same file in
// the same run: `scp` (OpenSSH 9 speaks SFTP underneath) and `curl -T` / `curl -o`.
//
//   node scripts/bench/transfer-staging.mjs [--quick] [--size MiB] [--rounds N]
//
// Per round, on a file of random bytes (256 MiB, 3 rounds; --quick: 32 MiB,
// 1 round), each step a process of its own, timed from spawn to exit:
//   kickstart:  `kickstart transfer --out` (SHA-256 of every byte, temp name +
//               rename, manifest written last) and `kickstart transfer --in`
//               (verified, renamed into place)
//   baseline:   scp up and down; curl -T up and curl -o down (no hashing)
// Sites are emptied between sides, so the disk holds one copy at a time.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, figure, makeFile, show, skip } from './lib.mjs';

const BENCH = 'transfer-staging';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const num = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const sizeMiB = num('--size', quick ? 32 : 256);
const rounds = num('--rounds', quick ? 1 : 3);
const say = (s) => process.stderr.write(s + '\n');
const script = path.join(root, 'scripts/staging/servers.sh');

const missing = ['/usr/sbin/sshd', '/usr/sbin/nginx', '/usr/lib/nginx/modules/ngx_http_dav_ext_module.so', '/usr/bin/scp', '/usr/bin/curl'].filter((f) => !existsSync(f));
if (missing.length > 0) {
  skip(BENCH, `missing ${missing.join(', ')}: apt-get install openssh-server openssh-client nginx libnginx-mod-http-dav-ext curl`);
} else if (!existsSync(path.join(root, 'dist/cli.cjs'))) {
  skip(BENCH, 'dist/cli.cjs is missing: run `node scripts/build.mjs` first');
} else {
  const base = mkdtempSync(path.join(tmpdir(), 'ks-bench-staging-'));
  const servers = path.join(base, 'servers');
  try {
    execFileSync('bash', [script, 'start', servers], { stdio: ['ignore', 'ignore', 'inherit'] });
    const env = {};
    for (const line of readFileSync(path.join(servers, 'staging.env'), 'utf8').split('\n')) {
      const kv = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (kv) env[kv[1]] = kv[2];
    }
    await main(base, env);
  } finally {
    execFileSync('bash', [script, 'stop', servers], { stdio: ['ignore', 'ignore', 'inherit'] });
    rmSync(base, { recursive: true, force: true });
  }
}

async function main(base, e) {
  const cli = path.join(root, 'bin/kickstart.cjs');
  const work = path.join(base, 'work');
  const src = path.join(work, 'ckpt.bin');
  mkdirSync(work);
  say(`bench: writing ${sizeMiB} MiB of random data`);
  makeFile(src, sizeMiB << 20);
  const want = await sha256(src);
  const check = async (copy) => {
    if ((await sha256(copy)) !== want) throw new Error(`${copy} differs from the original`);
  };
  const ssh = ['-i', e.SFTP_KEY, '-o', `UserKnownHostsFile=${e.SFTP_KNOWN_HOSTS}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-P', e.SFTP_PORT];
  const davEnv = { KICKSTART_WEBDAV_USER: e.DAV_USER, KICKSTART_WEBDAV_PASSWORD: e.DAV_PASSWORD };
  const curl = ['-sS', '-f', '--cacert', e.DAV_CA_FILE, '--netrc-file', path.join(base, 'netrc')];
  execFileSync('sh', ['-c', `umask 077; printf 'machine 127.0.0.1 login %s password %s\\n' "$1" "$2" > "$3"`, 'sh', e.DAV_USER, e.DAV_PASSWORD, path.join(base, 'netrc')]);
  const davBase = `https://127.0.0.1:${e.DAV_PORT}`;

  const kinds = [
    {
      name: 'sftp',
      url: (r) => `sftp://${e.SFTP_USER}@127.0.0.1:${e.SFTP_PORT}${e.SFTP_ROOT_PATH}/ks-${r}`,
      flags: ['--ssh-key', e.SFTP_KEY, '--ssh-known-hosts', e.SFTP_KNOWN_HOSTS],
      env: {},
      baseline: 'scp',
      up: (r) => ['scp', ['-q', ...ssh, src, `${e.SFTP_USER}@127.0.0.1:${e.SFTP_ROOT_PATH}/scp-${r}.bin`]],
      down: (r, to) => ['scp', ['-q', ...ssh, `${e.SFTP_USER}@127.0.0.1:${e.SFTP_ROOT_PATH}/scp-${r}.bin`, to]],
      clean: () => emptyDir(e.SFTP_ROOT_DIR),
    },
    {
      name: 'WebDAV',
      url: (r) => `davs://127.0.0.1:${e.DAV_PORT}/ks-${r}`,
      flags: ['--ca-file', e.DAV_CA_FILE],
      env: davEnv,
      baseline: 'curl',
      up: (r) => ['curl', [...curl, '-T', src, `${davBase}/curl-${r}.bin`]],
      down: (r, to) => ['curl', [...curl, '-o', to, `${davBase}/curl-${r}.bin`]],
      clean: () => emptyDir(e.DAV_ROOT_DIR),
    },
  ];
  const figures = [];
  for (const k of kinds) {
    const t = { out: [], in: [], up: [], down: [] };
    for (let r = 1; r <= rounds; r++) {
      const restore = path.join(base, `restore-${r}`);
      const copy = path.join(base, `copy-${r}.bin`);
      mkdirSync(restore);
      const common = ['--staging', k.url(r), '--job-id', 'bench', '--no-progress', ...k.flags];
      const sides = [
        async () => {
          t.out.push(await timed(process.execPath, [cli, 'transfer', '--out', '--workdir', work, '--checkpoint', 'ckpt.bin', ...common], base, k.env));
          t.in.push(await timed(process.execPath, [cli, 'transfer', '--in', '--workdir', restore, ...common], base, k.env));
          await check(path.join(restore, 'ckpt.bin'));
        },
        async () => {
          t.up.push(await timed(...k.up(r), base));
          t.down.push(await timed(...k.down(r, copy), base));
          await check(copy);
        },
      ];
      try {
        for (const side of r % 2 ? sides : sides.reverse()) {
          await side();
          k.clean();
        }
      } finally {
        rmSync(restore, { recursive: true, force: true });
        rmSync(copy, { force: true });
      }
      say(`bench: ${k.name} round ${r}/${rounds}: stage-out ${f(t.out.at(-1))} s vs ${k.baseline} ${f(t.up.at(-1))} s; stage-in ${f(t.in.at(-1))} s vs ${k.baseline} ${f(t.down.at(-1))} s`);
    }
    const up = k.name === 'sftp' ? 'scp up' : 'curl -T';
    const down = k.name === 'sftp' ? 'scp down' : 'curl -o';
    figures.push(
      figure({ name: `stage-out ${sizeMiB} MiB, ${k.name}`, unit: 's', samples: t.out, baseline: { name: up, samples: t.up }, note: 'SHA-256 of every byte, temp name + rename, manifest last' }),
      figure({ name: `stage-in ${sizeMiB} MiB, ${k.name} (verified)`, unit: 's', samples: t.in, baseline: { name: down, samples: t.down }, note: 'SHA-256 checked, renamed into place' }),
    );
  }
  show(`${BENCH} (${sizeMiB} MiB, ${rounds} rounds, sshd and nginx on 127.0.0.1)`, figures);
  emit(BENCH, figures);
}

/** Wall time of one process, spawn to exit, in seconds; stderr shown on failure. */
function timed(cmd, argv, cwd, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c) => (err = (err + c).slice(-2000)));
    p.on('error', reject);
    p.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) reject(new Error(`${path.basename(cmd)} ${argv.slice(1, 3).join(' ')} exited ${code}: ${err.trim().split('\n').at(-1)}`));
      else resolve(s);
    });
  });
}

async function sha256(p) {
  const h = createHash('sha256');
  for await (const c of createReadStream(p, { highWaterMark: 4 << 20 })) h.update(c);
  return h.digest('hex');
}

function emptyDir(d) {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
}

function f(x) {
  return x.toFixed(2);
}
