// Replaced at bundle time by scripts/build.mjs; the fallback serves tests run from sources.
declare const __KICKSTART_VERSION__: string | undefined;
export const VERSION: string = typeof __KICKSTART_VERSION__ === 'string' ? __KICKSTART_VERSION__ : '0.0.0-dev';
