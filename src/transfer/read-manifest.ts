import type { StagingSite } from '../staging/index.js';
import { manifestKey } from './generations.js';
import { parseManifest, type Manifest } from './manifest.js';
import { getOrVerifyError, guarded } from './site-read.js';
import { VerifyError } from './verify-error.js';

/** More than any manifest kickstart writes: a larger object is not read whole. */
const MANIFEST_MAX = 64 << 20;

/** One generation's manifest, parsed and checked; VerifyError when it is missing or malformed. */
export async function readManifest(site: StagingSite, jobId: string, generation: number, signal?: AbortSignal): Promise<Manifest> {
  const mkey = manifestKey(jobId, generation);
  const parsed = parseManifest(await readSmall(site, mkey, signal), { jobId, generation });
  if (!parsed.ok) throw new VerifyError(`${site.describe(mkey)}: ${parsed.message}`);
  return parsed.manifest;
}

async function readSmall(site: StagingSite, key: string, signal?: AbortSignal): Promise<Buffer> {
  const stream = await getOrVerifyError(site, key, signal);
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of guarded(stream, site.describe(key), () => {})) {
    n += c.length;
    if (n > MANIFEST_MAX) {
      stream.destroy();
      throw new VerifyError(`${site.describe(key)}: manifest larger than ${MANIFEST_MAX} bytes`);
    }
    parts.push(c);
  }
  return Buffer.concat(parts);
}
