// `npm run release`: builds the single-file binary and packs
// dist/kickstart-<version>-<platform>-<arch>.tar.gz holding one folder with
//   kickstart    the binary (scripts/build-binary.mjs)
//   README.md, LICENSE
//   SHA256SUMS   `sha256sum -c SHA256SUMS` checks the unpacked files
// and writes <tarball>.sha256 beside it, to check the download itself.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version } from './esbuild-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = `${process.platform}-${process.arch}`;
const name = `kickstart-${version}-${target}`;
const stage = join(root, 'dist', 'release', name);

execFileSync(process.execPath, [join(root, 'scripts', 'build-binary.mjs')], { stdio: 'inherit' });

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
copyFileSync(join(root, 'dist', `kickstart-${target}`), join(stage, 'kickstart'));
chmodSync(join(stage, 'kickstart'), 0o755);
for (const f of ['README.md', 'LICENSE']) copyFileSync(join(root, f), join(stage, f));

const sha256 = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');
const sums = ['kickstart', 'README.md', 'LICENSE'].map((f) => `${sha256(join(stage, f))}  ${f}\n`).join('');
writeFileSync(join(stage, 'SHA256SUMS'), sums);

const tarball = join(root, 'dist', `${name}.tar.gz`);
// Owner and order fixed, so the same inputs give the same listing on every machine.
execFileSync('tar', ['-czf', tarball, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-C', join(stage, '..'), name]);
writeFileSync(`${tarball}.sha256`, `${sha256(tarball)}  ${basename(tarball)}\n`);
rmSync(join(root, 'dist', 'release'), { recursive: true, force: true });
console.error(`release: ${tarball}`);
