import { describe, expect, it } from 'vitest';
import {
  failureStatus, notStartedCode, signalDescription, signalName, signalNumber, statusFromExit, statusFromWait, strerror,
} from '../../src/record/signals.js';

describe('statusFromWait', () => {
  it('decodes exits, signals and core dumps like <sys/wait.h>', () => {
    expect(statusFromWait(0)).toEqual({ raw: 0, regular_exitcode: 0 });
    expect(statusFromWait(768)).toEqual({ raw: 768, regular_exitcode: 3 });
    expect(statusFromWait(15)).toEqual({ raw: 15, signalled_signal: 15, singalled_name: 'Terminated', corefile: false });
    expect(statusFromWait(139)).toEqual({ raw: 139, signalled_signal: 11, singalled_name: 'Segmentation fault', corefile: true });
    expect(statusFromWait(9)).toMatchObject({ singalled_name: 'Killed' });
  });

  it("rebuilds the raw status from Node's (code, signal)", () => {
    expect(statusFromExit(3, null)).toEqual(statusFromWait(768));
    expect(statusFromExit(null, 'SIGTERM')).toEqual(statusFromWait(15));
    expect(statusFromExit(null, 'SIGSEGV', true)).toEqual(statusFromWait(139));
  });
});

describe('signal tables', () => {
  it('names every Linux signal and describes it as glibc strsignal does', () => {
    expect([1, 2, 3, 6, 9, 10, 11, 15].map(signalDescription)).toEqual([
      'Hangup', 'Interrupt', 'Quit', 'Aborted', 'Killed', 'User defined signal 1', 'Segmentation fault', 'Terminated',
    ]);
    expect(signalDescription(31)).toBe('Bad system call');
    expect(signalDescription(34)).toBe('Real-time signal 0');
    expect(signalDescription(32)).toBe('Unknown signal 32');
    for (let n = 1; n <= 31; n++) expect(signalNumber(signalName(n))).toBe(n);
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalNumber('term')).toBe(15);
    expect(signalNumber('SIGRTMIN+2')).toBe(36);
    expect(signalNumber('SIGRTMAX')).toBe(64);
    expect(signalNumber('9')).toBe(9);
    expect(signalNumber('SIGNOPE')).toBeUndefined();
  });
});

describe('failureStatus', () => {
  it('formats failure_error as Pegasus does and picks the shell exit convention', () => {
    expect(failureStatus(2, 'ENOENT')).toEqual({ raw: -127, failure_error: '2   No such file or directory' });
    expect(failureStatus(-13, 'EACCES')).toEqual({ raw: -126, failure_error: '13   Permission denied' });
    expect(failureStatus(8)).toEqual({ raw: -126, failure_error: '8   Exec format error' });
    expect(failureStatus(0, 'ENOTDIR')).toEqual({ raw: -127, failure_error: '20   Not a directory' });
    expect(failureStatus(7)).toEqual({ raw: -126, failure_error: '7   Argument list too long' });
    expect(strerror(9999)).toBe('Unknown error 9999');
  });

  it('raw is minus the exit code of a job that never started', () => {
    for (const errno of [2, 7, 8, 13, 20, 21, 26, 36, 40]) expect(failureStatus(errno).raw).toBe(-notStartedCode(errno));
    expect([2, 20, 36, 40].map(notStartedCode)).toEqual([127, 127, 127, 127]);
    expect([7, 8, 13, 21, 26].map(notStartedCode)).toEqual([126, 126, 126, 126, 126]);
  });
});
