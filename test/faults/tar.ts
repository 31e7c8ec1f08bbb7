import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Hand-made staging content for the bad-input tests: ustar archives with
 * whatever names we like, and generations written straight into a file://
 * site (<dir>/<job>/gen-NNNNNN/<object> + gen-NNNNNN.manifest.json), so
 * stage-in meets exactly the bytes a hostile or broken site would hold.
 */
export interface TarItem {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  data?: Buffer;
  linkname?: string;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

export function tar(items: TarItem[]): Buffer {
  const blocks: Buffer[] = [];
  for (const it of items) {
    const h = Buffer.alloc(512);
    const data = it.type === 'file' ? (it.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    h.write(it.name, 0, 100, 'utf8');
    h.write(octal(it.type === 'dir' ? 0o755 : 0o644, 8), 100, 'ascii');
    h.write(octal(0, 8), 108, 'ascii');
    h.write(octal(0, 8), 116, 'ascii');
    h.write(octal(data.length, 12), 124, 'ascii');
    h.write(octal(1_700_000_000, 12), 136, 'ascii');
    h.write('        ', 148, 'ascii');
    h.write(it.type === 'file' ? '0' : it.type === 'dir' ? '5' : '2', 156, 'ascii');
    if (it.linkname) h.write(it.linkname, 157, 100, 'utf8');
    h.write('ustar\0', 257, 'ascii');
    h.write('00', 263, 'ascii');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + ' ', 148, 'ascii');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface EntrySpec {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  data?: Buffer;
  target?: string;
}

/** A manifest as stage-out writes it, for the given entries and object. */
export function manifestFor(jobId: string, gen: number, objectName: string, format: 'file' | 'tar', object: Buffer, entries: EntrySpec[]): Record<string, unknown> {
  const es = entries.map((e) => ({
    path: e.path,
    type: e.type,
    size: e.type === 'file' ? (e.data?.length ?? 0) : 0,
    mode: e.type === 'dir' ? 0o755 : 0o644,
    mtime: 1_700_000_000,
    ...(e.type === 'file' ? { sha256: sha256(e.data ?? Buffer.alloc(0)) } : {}),
    ...(e.type === 'symlink' ? { target: e.target } : {}),
  }));
  return {
    format: 'kickstart-checkpoint/1',
    job_id: jobId,
    generation: gen,
    attempt: 1,
    host: 'faults',
    time: new Date(0).toISOString(),
    object: { key: `gen-${String(gen).padStart(6, '0')}/${objectName}`, format, size: object.length },
    bytes: es.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0),
    entries: es,
  };
}

/** Writes one generation (object, then manifest text as given) into a file:// site directory. */
export function plantGeneration(siteDir: string, jobId: string, gen: number, objectName: string, object: Buffer, manifest: string | Buffer): void {
  const g = `gen-${String(gen).padStart(6, '0')}`;
  mkdirSync(path.join(siteDir, jobId, g), { recursive: true });
  writeFileSync(path.join(siteDir, jobId, g, objectName), object);
  writeFileSync(path.join(siteDir, jobId, `${g}.manifest.json`), manifest);
}
