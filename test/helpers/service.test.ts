import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startService } from './service.js';
import { tempDir } from './temp-dir.js';

/** A service script as the real ones are (install, start DIR, stop DIR), logging its calls. */
function fakeScript(failStart = false): { script: string; log: string } {
  const { dir } = tempDir('fake-service');
  const log = join(dir, 'calls');
  const script = join(dir, 'service.sh');
  writeFileSync(
    script,
    `case "$1" in
  install) echo install >> ${log} ;;
  start) echo "start $2" >> ${log}; ${failStart ? 'exit 3' : `printf 'URL=http://127.0.0.1:1\\nKEY=a=b\\n' > "$2/fake.env"`} ;;
  stop) echo "stop $2" >> ${log} ;;
esac
`,
  );
  return { script, log };
}

describe('the service set-up', () => {
  it('installs, starts in a fresh directory, reads its env file; stop() stops and removes the directory', () => {
    const f = fakeScript();
    const s = startService({ script: f.script, label: 'fake', envFile: 'fake.env' });
    expect(s.env).toEqual({ URL: 'http://127.0.0.1:1', KEY: 'a=b' });
    expect(existsSync(s.dir)).toBe(true);
    s.stop();
    expect(existsSync(s.dir)).toBe(false);
    expect(readFileSync(f.log, 'utf8')).toBe(`install\nstart ${s.dir}\nstop ${s.dir}\n`);
  });

  it('a failed start stops what it started and removes the directory before it throws', () => {
    const f = fakeScript(true);
    expect(() => startService({ script: f.script, label: 'fake' })).toThrow();
    const [, start, stop] = readFileSync(f.log, 'utf8').trim().split('\n');
    const dir = start.slice('start '.length);
    expect(stop).toBe(`stop ${dir}`);
    expect(existsSync(dir)).toBe(false);
  });
});
