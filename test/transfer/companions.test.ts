import { describe, expect, it } from 'vitest';
import { appendFileSync, openSync, readFileSync, renameSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { stageIn, stageOut } from '../../src/transfer/index.js';
import { freshStaging, kind, options, workdir } from './helpers.js';

/**
 * --checkpoint-with: append-only companions go with the checkpoint, read
 * after it, up to the size they have then; one rewritten in place while it
 * is read is read again.
 */
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function app() {
  const a = workdir();
  writeFileSync(path.join(a, 'state.ckpt'), JSON.stringify({ step: 3, lengths: { 'md.log': 6 } }));
  writeFileSync(path.join(a, 'md.log'), 'a\nb\nc\n');
  return a;
}

describe(`companions (${kind})`, () => {
  it('ships a companion that grows while the checkpoint is read, up to its size once the checkpoint was read', async () => {
    const a = app();
    const staging = freshStaging();
    const order: string[] = [];
    const r = await stageOut(
      options(a, staging, {
        checkpoints: ['state.ckpt'],
        companions: ['md.log'],
        hooks: {
          afterRead: (p) => {
            order.push(p);
            // The app goes on appending: what came before the companion's turn is in, what comes after is not.
            appendFileSync(path.join(a, 'md.log'), 'd\n');
          },
        },
      }),
    );
    expect(r.result).toBe('ok');
    expect(order).toEqual(['state.ckpt', 'md.log']);
    expect(r.files.map((f) => [f.path, f.size])).toEqual([['state.ckpt', readFileSync(path.join(a, 'state.ckpt')).length], ['md.log', 8]]);
    const b = workdir();
    expect((await stageIn(options(b, staging))).result).toBe('ok');
    expect(readFileSync(path.join(b, 'md.log'), 'utf8')).toBe('a\nb\nc\nd\n');
    expect(readFileSync(path.join(a, 'md.log'), 'utf8')).toBe('a\nb\nc\nd\nd\n');
  });

  it('reads a companion again when it shrank or its bytes changed while it was read', async () => {
    for (const rewrite of ['truncate', 'overwrite'] as const) {
      const a = app();
      const staging = freshStaging();
      const tries: number[] = [];
      const log = path.join(a, 'md.log');
      const r = await stageOut(
        options(a, staging, {
          checkpoints: ['state.ckpt'],
          companions: ['md.log'],
          hooks: {
            afterRead: (p, attempt) => {
              if (p !== 'md.log') return;
              tries.push(attempt);
              if (attempt !== 1) return;
              if (rewrite === 'truncate') truncateSync(log, 2);
              else {
                // Same inode, longer than before, but the bytes read are no longer there.
                const fd = openSync(log, 'r+');
                writeSync(fd, 'X\nY\nZ\nW\n', 0);
                closeSync(fd);
              }
            },
          },
        }),
      );
      expect(r.result, rewrite).toBe('ok');
      expect(tries, rewrite).toEqual([1, 2]);
      const now = readFileSync(log);
      expect(r.files.find((f) => f.path === 'md.log'), rewrite).toEqual({ path: 'md.log', size: now.length, sha256: sha(now) });
      expect(r.reread, rewrite).toBeGreaterThan(0);
    }
  });

  it('companions alone are no checkpoint: nothing is published', async () => {
    const a = workdir();
    writeFileSync(path.join(a, 'md.log'), 'a\n');
    const staging = freshStaging();
    const r = await stageOut(options(a, staging, { checkpoints: ['state.ckpt'], companions: ['md.log'] }));
    expect(r.result).toBe('none');
    expect(r.missing).toEqual(['state.ckpt']);
  });

  it('a path declared both ways is a companion: it grows without making the read torn', async () => {
    const a = app();
    renameSync(path.join(a, 'md.log'), path.join(a, 'out.log'));
    const staging = freshStaging();
    let grown = 0;
    const r = await stageOut(
      options(a, staging, {
        checkpoints: ['state.ckpt', '*.log'],
        companions: ['*.log'],
        hooks: {
          afterRead: (p) => {
            // Grows while read: torn for a checkpoint file, fine for a companion.
            if (p === 'out.log' && grown++ === 0) appendFileSync(path.join(a, 'out.log'), 'more\n');
          },
        },
      }),
    );
    expect(r.result).toBe('ok');
    expect(r.files.find((f) => f.path === 'out.log')?.size).toBe(6);
    expect(r.reread ?? 0).toBeLessThanOrEqual(6);
  });
});
