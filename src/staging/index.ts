/**
 * Staging sites: where checkpoints go. The transfer step sees a
 * StagingLocation (a URL resolved once) and the StagingSite it opens;
 * kinds (file://, s3://, ...) are listed in registry.ts.
 */
export type { ChunkReadOptions, ChunkSource, StagingLocation, StagingSite, SiteEntry, SiteCallOptions, SiteErrorKind } from './site.js';
export { SiteError, checkKey, oneLine, safeSegment } from './site.js';
export type { SiteOption, SiteOptions, StagingKind } from './kind.js';
export { KINDS, makeRegistry, pickSiteOptions, registry, safeShow, type Registry, type Resolved } from './registry.js';

import type { SiteOptions } from './kind.js';
import { registry } from './registry.js';
import type { StagingLocation, StagingSite } from './site.js';

/** A location as given (already resolved) or resolved from a URL; throws a one-line Error for a bad URL. */
export function locate(staging: string | StagingLocation, options: SiteOptions = {}): StagingLocation {
  if (typeof staging !== 'string') return staging;
  const r = registry.resolve(staging, options);
  if (!r.ok) throw new Error(r.message);
  return r.location;
}

/** Opens the site of a staging URL or location; throws a one-line Error for a bad URL. */
export function openSite(staging: string | StagingLocation, options: SiteOptions = {}): Promise<StagingSite> {
  return locate(staging, options).open();
}
