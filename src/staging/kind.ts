import type { StagingSite } from './site.js';

/**
 * What a staging kind adds to kickstart: its scheme, how its URLs read, how
 * to open a site, which options it takes and what it must keep out of
 * messages. One module per kind (kinds/*.ts) and one line in registry.ts;
 * nothing outside staging/ names a kind.
 */
export interface StagingKind<T = unknown> {
  /** URL scheme without ':', lower case: 'file', 's3'. */
  readonly scheme: string;
  /** How a URL of this kind is written, for hints and --help: 's3://bucket/prefix'. */
  readonly example: string;
  /** One line for the README: what the site is and where its credentials come from. */
  readonly about: string;
  /** Site options this kind reads (the way S3 takes an endpoint); each is a CLI flag. */
  readonly options?: readonly SiteOption[];
  /** Pure: the URL's parts, or why it is wrong and how to write it (without the "--staging 'x':" lead). */
  parse(url: string): KindParse<T>;
  /** Opens the site. May load the adapter on demand, so kinds stay light to import. */
  open(url: string, target: T, options: SiteOptions): StagingSite | Promise<StagingSite>;
  /** Masks secrets this kind's adapter might echo in error text. */
  redact?(text: string): string;
}

export type KindParse<T> = { ok: true; url: string; target: T } | { ok: false; why: string };

/** Values of the site options (SiteOption.key → value), as given by flags or a library caller. */
export type SiteOptions = Readonly<Record<string, string | undefined>>;

export interface SiteOption {
  /** Key in SiteOptions, camelCase: 's3Endpoint'. */
  readonly key: string;
  /** Long flag without dashes: 's3-endpoint'. */
  readonly flag: string;
  /** Placeholder of the value in --help: 'url'. */
  readonly value: string;
  readonly help: string;
}

/** Identity helper so a kind module is type-checked against the interface where it is written. */
export function defineKind<T>(kind: StagingKind<T>): StagingKind<T> {
  return kind;
}
