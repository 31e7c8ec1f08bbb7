import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { appendRecord, writeFully } from '../../src/record/write.js';
import { toYaml } from '../../src/record/yaml.js';
import { buildRecord } from './build-record.js';
import { tempDir } from '../helpers/temp-dir.js';

const { dir } = tempDir('write');

describe('appendRecord', () => {
  it('appends records into one loadable YAML list, creating the file 0644', () => {
    const path = join(dir, 'records.yml');
    const a = buildRecord('exit');
    const b = buildRecord('signal');
    expect(appendRecord(path, toYaml(a))).toMatchObject({ ok: true });
    expect(appendRecord(path, toYaml(b))).toMatchObject({ ok: true });
    expect(statSync(path).mode & 0o777).toBe(0o644 & ~process.umask());
    const docs = parse(readFileSync(path, 'utf8'));
    expect(docs).toHaveLength(2);
    expect(docs[0].mainjob.status.regular_exitcode).toBe(3);
    expect(docs[1].mainjob.status.signalled_signal).toBe(11);
  });

  it('returns an error value instead of throwing for an unwritable path', () => {
    const r = appendRecord(join(dir, 'missing-dir', 'x.yml'), 'x\n');
    expect(r).toMatchObject({ ok: false, code: 'ENOENT' });
  });

  it('finishes a write through a non-blocking pipe that keeps returning EAGAIN', async () => {
    const fifo = join(dir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    const out = join(dir, 'fifo.out');
    // A slow reader: the 64 KiB pipe fills and the writer sees EAGAIN.
    const reader = spawn('sh', ['-c', `sleep 0.2; cat "${fifo}" > "${out}"`]);
    const done = new Promise((r) => reader.on('exit', r));
    let fd = -1;
    for (let i = 0; i < 200 && fd < 0; i++) {
      try {
        fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        await new Promise((r) => setTimeout(r, 10)); // ENXIO until cat opens its end
      }
    }
    const buf = Buffer.alloc(2 << 20, 'k');
    expect(writeFully(fd, buf)).toBe(buf.length);
    closeSync(fd);
    await done;
    expect(statSync(out).size).toBe(buf.length);
  });

  it('reports EPIPE on a closed stdout instead of crashing', async () => {
    const bundle = join(dir, 'write.mjs');
    buildSync({ entryPoints: [fileURLToPath(new URL('../../src/record/write.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    const script = `
      import { appendRecord } from ${JSON.stringify(bundle)};
      await new Promise((r) => setTimeout(r, 200));
      const r = appendRecord(null, 'x'.repeat(1 << 20));
      process.stderr.write(JSON.stringify({ ok: r.ok, code: r.code }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader goes away, like \`| head -0\`
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(JSON.parse(err)).toEqual({ ok: false, code: 'EPIPE' });
  });

  it('writes to stdout when no path is given', () => {
    const bundle = join(dir, 'write2.mjs');
    buildSync({ entryPoints: [fileURLToPath(new URL('../../src/record/write.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
    const text = '- invocation: True\n  version: 3.0\n';
    const r = spawnSync(process.execPath, ['--input-type=module', '-e',
      `import { appendRecord } from ${JSON.stringify(bundle)}; appendRecord(null, ${JSON.stringify(text)}.repeat(5000));`]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe(text.repeat(5000));
  });
});
