/**
 * Debian's Chromium for the page tests (leaderboard HTML, per-item view), offline: every request a page makes other
 * than those `allow` accepts is recorded in `refused` and aborted, so a page that needs the network fails its test.
 */
import fs from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';
import { tempDir } from './helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Without the background-networking flags Chromium phones home, and this closed network refuses it. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OfflineBrowser {
  context: BrowserContext;
  /** The profile folder: remove it after closing the context. */
  userDataDir: string;
}

export async function launchOffline(options: {
  allow: (url: string) => boolean;
  refused: string[];
  viewport?: { width: number; height: number };
}): Promise<OfflineBrowser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run .ci/run, or install Debian's chromium with "apt-get install -y chromium"`,
    );
  }
  const userDataDir = tempDir('autorater-chromium-profile-');
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    deviceScaleFactor: 1,
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (options.allow(url)) return route.continue();
    options.refused.push(url);
    return route.abort();
  });
  return { context, userDataDir };
}
