import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ks } from '../helpers/run.js';
import { tempDir } from '../helpers/temp-dir.js';

const REFERENCE = join(FIXTURES, 'pegasus-records');

describe('kickstart show', () => {
  const tmp = tempDir();
  const rec = join(tmp.dir, 'job.yml');
  afterAll(() => tmp.cleanup());

  beforeAll(async () => {
    // Two attempts appended to one file: a deadline, then a clean run.
    const r1 = await ks(['-H', '-l', rec, '-k', '1', '-K', '1', '--monitor-interval', '100ms', '--', 'sh', '-c', 'trap "" TERM; sleep 5']);
    expect(r1.exitCode).not.toBe(0);
    const r2 = await ks(['-H', '-l', rec, '--attempt', '2', '--monitor-interval', '100ms', '--', 'sh', '-c', 'sleep 0.6']);
    expect(r2.exitCode).toBe(0);
  });

  it('summarises every attempt: outcome, exit, signals, peaks, sparklines; no colour into a pipe', async () => {
    const r = await execa(process.execPath, [BIN, 'show', rec], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).not.toMatch(/\x1b\[/);
    expect(out).toMatch(/2 attempts/);
    expect(out).toMatch(/^attempt 1 {2}\S.* {2}exit \d+/m);
    expect(out).toMatch(/^attempt 2 {2}completed {2}exit 0/m);
    expect(out).toMatch(/main job +signal 9 \(Killed\)/);
    expect(out).toMatch(/SIGTERM at [\d.]+ s \(kill time|SIGTERM at [\d.]+ s \(checkpoint time/);
    expect(out).toMatch(/SIGKILL at [\d.]+ s/);
    expect(out).toMatch(/peak +memory [\d.]+ (KiB|MiB)/);
    expect(out).toMatch(/cpu +[▁▂▃▄▅▆▇█]+ 0–100 %/);
    expect(out).toMatch(/memory +[▁▂▃▄▅▆▇█]+ 0–/);
  });

  it('reads JSON-line records and pegasus-kickstart records alike', async () => {
    const json = join(tmp.dir, 'job.jsonl');
    const r = await ks(['-H', '--format', 'json', '-l', json, '--', 'true']);
    expect(r.exitCode).toBe(0);
    const shown = await execa(process.execPath, [BIN, 'show', json]);
    expect(shown.stdout).toMatch(/1 attempt of \S*true/);
    for (const f of ['echo-hello.yml', 'segv.yml', 'nonexistent.yml']) {
      const p = await execa(process.execPath, [BIN, 'show', join(REFERENCE, f)], { reject: false });
      expect(p.exitCode, f).toBe(0);
      expect(p.stdout, f).toMatch(/main job +(exit|signal|did not start)/);
    }
  });

  it.each([
    ['a missing file', 'nope.yml', /^kickstart: show: cannot read \S*nope.yml: no such file; give a record file/],
    ['garbage', 'garbage.bin', /^kickstart: show: \S*garbage.bin( line \d+)? is not YAML: give a record file/],
    ['YAML that is no record', 'other.yml', /^kickstart: show: \S*other.yml holds no invocation record: give a record file/],
    ['broken JSON lines', 'broken.jsonl', /^kickstart: show: \S*broken.jsonl line 2 is not JSON: give a record file/],
    ['an empty file', 'empty.yml', /^kickstart: show: \S*empty.yml is empty/],
  ])('refuses %s with one line and exit 2', async (_what, name, message) => {
    writeFileSync(join(tmp.dir, 'garbage.bin'), Buffer.from([0x7b, 0x00, 0xff, 0x3a, 0x3a, 0x5b, 0x0a, 0x2d, 0x20, 0x22]).toString('latin1').slice(1) + '\t: ]');
    writeFileSync(join(tmp.dir, 'other.yml'), 'name: not a record\nitems: [1, 2]\n');
    writeFileSync(join(tmp.dir, 'broken.jsonl'), '{"invocation": true}\n{"invocation": tru\n');
    writeFileSync(join(tmp.dir, 'empty.yml'), '');
    const r = await execa(process.execPath, [BIN, 'show', join(tmp.dir, name)], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exit 127 without a RECORD, 3 when the page cannot be written', async () => {
    const none = await execa(process.execPath, [BIN, 'show'], { reject: false });
    expect(none.exitCode).toBe(127);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await execa(process.execPath, [BIN, 'show', rec, '--html', '/nonexistent/dir/r.html'], { reject: false });
    expect(bad.exitCode).toBe(3);
    expect(bad.stderr).toMatch(/^kickstart: show: cannot write \/nonexistent\/dir\/r.html: ENOENT/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('survives a reader that stops early (| head): no EPIPE trace', () => {
    // More than a pipe buffer of output, so the write meets the closed pipe.
    const many = join(tmp.dir, 'many.jsonl');
    const lines = (parse(readFileSync(rec, 'utf8')) as object[]).map((r) => `${JSON.stringify(r)}\n`).join('');
    writeFileSync(many, lines.repeat(200));
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" show "${many}" | head -n 3`], { encoding: 'utf8' });
    expect(r.stdout.split('\n')).toHaveLength(4);
    expect(r.stdout).toMatch(/400 attempts/);
    expect(r.stderr).toBe('');
    // And a reader that takes it all gets it all, though the CLI exits right after writing.
    const all = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" show "${many}" | cat`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(all.stdout.match(/^attempt \d+ /gm)).toHaveLength(400);
  });
});
