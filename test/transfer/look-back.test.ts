import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry, type StagingLocation, type StagingSite } from '../../src/staging/index.js';
import { lookBack, siteMarkers, stageIn, stageOut } from '../../src/transfer/index.js';
import { freshStaging, kind, options, workdir, type Staging } from './helpers.js';

/** The staging location, with every list() and get() it serves counted. */
function counted(staging: Staging): { location: StagingLocation; calls: string[] } {
  const r = registry.resolve(staging.url, staging.site);
  if (!r.ok) throw new Error(r.message);
  const calls: string[] = [];
  const location: StagingLocation = {
    ...r.location,
    redact: (t) => r.location.redact(t),
    open: async () => {
      const site = await r.location.open();
      return Object.assign(Object.create(site) as StagingSite, {
        list: (prefix: string, o?: object) => (calls.push(`list ${prefix}`), site.list(prefix, o)),
        get: (key: string, o?: object) => (calls.push(`get ${key}`), site.get(key, o)),
      });
    },
  };
  return { location, calls };
}

describe(`an attempt's look back at the staging site (${kind})`, () => {
  it('finds the markers and the newest manifest in one listing; stage-in takes both over and reads neither again', async () => {
    const staging = freshStaging();
    const a = workdir();
    writeFileSync(path.join(a, 'ck'), 'one');
    expect(await stageOut(options(a, staging, { checkpoints: ['ck'], attempt: 2 }))).toMatchObject({ result: 'ok', generation: 1 });
    writeFileSync(path.join(a, 'ck'), 'two');
    expect(await stageOut(options(a, staging, { checkpoints: ['ck'], attempt: 3 }))).toMatchObject({ result: 'ok', generation: 2 });
    const { location, calls } = counted(staging);
    const marker = { attempt: 4, started: '2026-12-04T03:00:00.000Z', host: 'n1', pid: 42, id: 'ab12' };
    await siteMarkers(location, 'job-1').write(marker);

    calls.length = 0;
    const look = await lookBack(location, 'job-1');
    expect(look.markers).toEqual([marker]);
    expect(look.newest).toMatchObject({ generation: 2, manifest: { generation: 2, attempt: 3 } });
    expect(calls).toEqual(['list job-1/', 'get job-1/attempts/attempt-4-ab12.json', 'get job-1/gen-000002.manifest.json']);

    calls.length = 0;
    const b = workdir();
    expect(await stageIn({ ...options(b, staging), staging: location, ahead: look })).toMatchObject({ result: 'ok', generation: 2 });
    expect(readFileSync(path.join(b, 'ck'), 'utf8')).toBe('two');
    expect(calls.filter((c) => c.startsWith('list') || c.endsWith('.manifest.json'))).toEqual([]);
  });

  it('an empty folder: no markers, no manifest; one that cannot be read is left to stage-in', async () => {
    const staging = freshStaging();
    const { location } = counted(staging);
    expect(await lookBack(location, 'job-1')).toEqual({ entries: [], markers: [] });
    const a = workdir();
    writeFileSync(path.join(a, 'ck'), 'one');
    await stageOut(options(a, staging, { checkpoints: ['ck'] }));
    const site = await location.open();
    await site.publish('job-1/gen-000001.manifest.json', Buffer.from('{not json'));
    site.close();
    const look = await lookBack(location, 'job-1');
    expect(look.newest).toBeUndefined();
    expect(look.problem).toMatch(/gen-000001\.manifest\.json: malformed manifest: not JSON/);
  });
});
