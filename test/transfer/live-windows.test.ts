import { describe, expect, it } from 'vitest';
import { blockedBy, summaryLine, WARN_AFTER, Windows } from '../../src/transfer/live-windows.js';
import type { LiveUpload } from '../../src/record/types.js';

/** Live shipping's interval bookkeeping: every interval without an upload is counted with its reason. */
const up = (result: LiveUpload['result'], reread = 0): LiveUpload => ({ result, bytes: 1, at: 0, duration: 0, ...(reread ? { reread } : {}) });

describe('live intervals', () => {
  it('counts shipped and skipped intervals by their most telling reason; idle ones in none', () => {
    const w = new Windows();
    w.started();
    w.advance(1); // 0: shipped
    w.note('settling', 'md.log');
    w.note('in_flight');
    w.note('settling', 'md.log'); // a lesser reason does not replace in_flight
    w.advance(2); // 1: in flight
    w.advance(3); // 2: idle
    w.note('nothing');
    w.advance(4); // 3: no checkpoint file yet
    w.note('settling', 'restart.3');
    w.advance(5); // 4: settling
    const s = w.summary(1000, [up('ok', 70), up('unchanged', 30), up('failed')]);
    expect(s).toEqual({
      interval: 1,
      intervals: 5,
      shipped: 1,
      unchanged: 1,
      failed: 1,
      skipped: { in_flight: 1, nothing: 1, settling: 1 },
      waiting_on: 'restart.3',
      reread: 100,
    });
    expect(summaryLine(s)).toBe('published 1 generation(s) in 5 interval(s) while the job ran; 3 skipped (in flight 1, nothing 1, settling 1)');
  });

  it(`warns once when ${WARN_AFTER} intervals in a row were skipped with a change pending, naming the file`, () => {
    const w = new Windows();
    const warns: unknown[] = [];
    for (let i = 1; i <= 8; i++) {
      w.note('settling', 'md.log');
      const b = w.advance(i);
      if (b) warns.push(b);
    }
    expect(warns).toEqual([{ reason: 'settling', file: 'md.log', error: undefined }]);
    expect(blockedBy(warns[0] as any)).toMatch(/'md\.log' to stop changing.*--checkpoint-with md\.log/);
    // An upload ends the run; a new run warns again. No checkpoint at all never warns.
    w.started();
    w.advance(9);
    let again;
    for (let i = 10; i < 10 + WARN_AFTER; i++) {
      w.note('error', undefined, 'disk full');
      again = w.advance(i) ?? again;
    }
    expect(again).toEqual({ reason: 'error', file: undefined, error: 'disk full' });
    const n = new Windows();
    for (let i = 1; i < 10; i++) {
      n.note('nothing');
      expect(n.advance(i)).toBeUndefined();
    }
    expect(n.summary(500, []).skipped).toEqual({ nothing: 9 });
    // Several intervals closed at once (a slow tick) count one by one.
    const m = new Windows();
    m.note('request');
    expect(m.advance(4)).toBeUndefined();
    expect(m.summary(500, []).intervals).toBe(4);
    expect(m.summary(500, []).skipped).toEqual({ request: 1 });
  });

  it('counts the interval the job ended in when an upload started there: never more shipped than intervals', () => {
    // GROMACS after a restore: its first checkpoint replaces the restored one and goes at 3.5 s,
    // then one every 5 s (8.5 ... 43.5); the job ends at 44.8 s, 8 whole intervals of 5 s.
    const w = new Windows();
    const uploads: LiveUpload[] = [];
    for (let i = 0; i < 9; i++) {
      w.advance(i);
      w.started();
      uploads.push(up('ok'));
    }
    w.advance(8);
    w.end();
    const s = w.summary(5000, uploads);
    expect(s).toMatchObject({ intervals: 9, shipped: 9 });
    expect(summaryLine(s)).toBe('published 9 generation(s) in 9 interval(s) while the job ran');
    // A last interval cut short with only a reason is not counted as skipped.
    const v = new Windows();
    v.note('settling', 'state.cpt');
    v.advance(1);
    v.note('settling', 'state.cpt');
    v.end();
    expect(v.summary(1000, [])).toMatchObject({ intervals: 1, skipped: { settling: 1 } });
  });

  it('sums the bytes sent by chunked uploads; none when no upload says', () => {
    const w = new Windows();
    const s = w.summary(1000, [{ ...up('ok'), bytes: 45166909, bytes_new: 6280421 }, { ...up('ok'), bytes: 46287532, bytes_new: 2689135 }, up('unchanged')]);
    expect(s.bytes_new).toBe(8969556);
    expect(new Windows().summary(1000, [up('ok')]).bytes_new).toBeUndefined();
  });
});
