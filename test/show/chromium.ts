import { existsSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { tempDir } from '../helpers/temp-dir.js';

/** Debian's chromium: .ci/run installs it (apt-get install chromium); tests never do. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet headless run in a container: no sandbox, GPU, network chatter or first-run UI. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why the browser tests cannot run, or undefined when they can. Only a
 * machine without chromium and outside CI skips them: in CI (CI set) a
 * missing browser fails the tests instead of hiding them.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM) || process.env.CI) return undefined;
  return `${CHROMIUM} is missing: apt-get install chromium to run the HTML report test (CI installs it)`;
}

/** A headless chromium with a fresh profile directory, removed by close(). */
export async function openBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = tempDir('chromium');
  const context = await chromium.launchPersistentContext(profile.dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 960, height: 900 },
    deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => {
      await context.close();
      profile.cleanup();
    },
  };
}
