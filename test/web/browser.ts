/**
 * Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the web board's tests and benchmark.
 * Each page records its console errors and uncaught exceptions, so a test can assert there were none.
 */
import type { TestContext } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'];

export async function launch(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  t.after(() => browser.close());
  return browser;
}

export interface WatchedPage {
  page: Page;
  /** Console errors and page errors so far. */
  errors: string[];
}

/**
 * A page at the given viewport. `expectedStatuses`: HTTP statuses the test provokes on purpose (a 400 from a bad
 * form value, the 401 before a login); the browser logs those responses as console errors, which are not the app's.
 */
export async function openPage(browser: Browser, url: string, o: { width?: number; height?: number; expectedStatuses?: number[] } = {}): Promise<WatchedPage> {
  const ctx = await browser.newContext({ viewport: { width: o.width ?? 1400, height: o.height ?? 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  const expected = new Set(o.expectedStatuses ?? []);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(m.text())?.[1];
    if (status && expected.has(Number(status))) return;
    errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, errors };
}
