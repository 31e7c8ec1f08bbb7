import type { KindParse, SiteOption, SiteOptions, StagingKind } from './kind.js';
import type { StagingLocation, StagingSite } from './site.js';
import { fileKind } from './kinds/file.js';
import { s3Kind } from './kinds/s3.js';
import { sftpKind } from './kinds/sftp.js';
import { davsKind, plainDavKind } from './kinds/webdav.js';

/** Every staging kind kickstart knows. A new kind: one module in kinds/ and one line here. */
export const KINDS: readonly StagingKind<any>[] = [fileKind, s3Kind, sftpKind, davsKind, plainDavKind];

export type Resolved = { ok: true; location: StagingLocation } | { ok: false; message: string };

/** A set of kinds: what --staging accepts, its hints, options and openers. */
export interface Registry {
  readonly kinds: readonly StagingKind<any>[];
  /** "file:///abs/dir or s3://bucket/prefix" */
  readonly hint: string;
  /** Every kind's site options, in registry order (one CLI flag each). */
  readonly options: readonly SiteOption[];
  /** Parses and checks a staging URL once; the location opens the site and redacts its messages. */
  resolve(url: string, options?: SiteOptions): Resolved;
  /** Masks what any kind's adapter might echo (for text produced before a URL was resolved). */
  redact(text: string): string;
  /** The README's table of staging kinds (a test keeps the README equal to it). */
  docs(): string;
}

export function makeRegistry(kinds: readonly StagingKind<any>[]): Registry {
  const byScheme = new Map(kinds.map((k) => [k.scheme, k]));
  const hint = kinds.map((k) => k.example).join(kinds.length > 2 ? ', ' : ' or ').replace(/, ([^,]*)$/, ' or $1');
  const redact = (text: string) => kinds.reduce((t, k) => (k.redact ? k.redact(t) : t), text);
  return {
    kinds,
    hint,
    options: kinds.flatMap((k) => k.options ?? []),
    redact,
    docs: () =>
      [
        '| URL | site | options |',
        '|---|---|---|',
        ...kinds.map((k) => `| \`${k.example}\` | ${k.about} | ${(k.options ?? []).map((o) => `\`--${o.flag} ${o.value.toUpperCase()}\`: ${o.help}`).join('; ')} |`),
      ].join('\n'),
    resolve(url, options = {}) {
      const bad = (why: string): Resolved => ({ ok: false, message: `--staging '${safeShow(url)}': ${why}` });
      if (typeof url !== 'string' || !url) return bad(`empty; use ${hint}`);
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
      const kind = scheme ? byScheme.get(scheme) : undefined;
      if (!kind) return bad(`unsupported scheme${scheme ? ` '${scheme}:'` : ''}; use ${hint}`);
      const p: KindParse<unknown> = kind.parse(url);
      if (!p.ok) return bad(p.why);
      const own = { ...options };
      return {
        ok: true,
        location: {
          url: p.url,
          scheme: kind.scheme,
          open: async (): Promise<StagingSite> => kind.open(p.url, p.target, own),
          redact: kind.redact ?? ((t: string) => t),
        },
      };
    },
  };
}

/** The registry of the kinds above: what kickstart itself uses. */
export const registry: Registry = makeRegistry(KINDS);

/** A URL with any user:password@ part masked, for messages. */
export function safeShow(url: string): string {
  return String(url).replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

/**
 * The site options among a bag of values (commander's opts(), a library
 * caller's object): only the keys some kind declares, only those set.
 */
export function pickSiteOptions(values: Record<string, unknown>, reg: Registry = registry): SiteOptions {
  const out: Record<string, string> = {};
  for (const o of reg.options) {
    const v = values[o.key];
    if (typeof v === 'string' && v !== '') out[o.key] = v;
  }
  return out;
}
