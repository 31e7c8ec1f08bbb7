import { describe, expect, it } from 'vitest';
import { parseRecords } from '../../src/show/load.js';
import { attemptView, bytes, secs } from '../../src/show/model.js';

/** Records as files hold them: anyone's, typed from record/types but checked where read. */
const view = (yaml: string) => attemptView(parseRecords(yaml, 'f')[0], 1);

describe("an attempt's view, from a record read from a file", () => {
  it("pegasus-kickstart's record: no kickstart block, the outcome from the main job's status", () => {
    const v = view('- invocation: true\n  duration: 2.5\n  mainjob:\n    status: { raw: 0, regular_exitcode: 0 }\n    executable: { file_name: /bin/echo }\n    argument_vector: [a b, c]\n    usage: { maxrss: 2048 }\n');
    expect(v).toMatchObject({ outcome: 'completed', ended: 'exit 0', command: "/bin/echo 'a b' c", duration: 2.5, peakRss: 2048 * 1024, signals: [], uploads: [] });
    expect(view('- invocation: true\n  mainjob:\n    status: { raw: 9, signalled_signal: 9, singalled_name: KILL, corefile: false }\n')).toMatchObject({ outcome: 'failed', ended: 'signal 9 (KILL)' });
    expect(view('- invocation: true\n  mainjob:\n    status: { raw: -127, failure_error: "2   No such\\n file" }\n').ended).toBe('did not start: 2 No such file');
  });

  it("kickstart's: signals and uploads on the time axis, in order", () => {
    const v = view(`- invocation: true
  kickstart:
    outcome: checkpointed
    exitcode: 14
    signals: [{ signal: SIGTERM, processes: 1, at: 5, reason: checkpoint-time }, { signal: SIGKILL, at: oops }]
    live_uploads: [{ generation: 2, result: ok, at: 3, bytes: 2048, duration: 0.5 }, { generation: 3, result: failed, at: 4 }]
    stage_out: { result: ok, generation: 4, at: 6, bytes: 10, duration: 1, files: [{ path: a }] }
`);
    expect(v.signals.map((s) => [s.label, s.at, s.detail])).toEqual([['SIGTERM', 5, 'SIGTERM at 5 s (checkpoint time, 1 process)']]);
    expect(v.uploads.map((u) => u.label)).toEqual(['gen 2', 'gen 4']);
    expect(v.checkpointOut).toBe('generation 4 shipped (1 file, 10 B, 1 s); 1 live upload');
  });

  it('values of the wrong type are left out or shown as ?, never thrown on', () => {
    const v = view('- invocation: true\n  duration: long\n  kickstart: { signals: nope, live_uploads: 3, unfinished: [{ message: 5 }, { attempt: 1, message: died }], monitor: { series: { t: [1], cpu: [1, 2], rss: [1] } } }\n  mainjob: { status: 7 }\n');
    expect(v).toMatchObject({ duration: 0, signals: [], uploads: [], unfinished: [{ attempt: 1, message: 'died' }], series: undefined, ended: 'raw status undefined' });
    expect([secs(undefined), bytes(undefined), secs(Number.NaN)]).toEqual(['?', '?', '?']);
  });
});
