/**
 * Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the web board's tests and benchmark.
 * Each page records its console errors and uncaught exceptions, so a test can assert there were none.
 */
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
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
 * `allowNetworkErrors`: the test stops the daemon on purpose, so refused and cut connections are expected too.
 */
export async function openPage(browser: Browser, url: string, o: { width?: number; height?: number; expectedStatuses?: number[]; allowNetworkErrors?: boolean } = {}): Promise<WatchedPage> {
  const ctx = await browser.newContext({ viewport: { width: o.width ?? 1400, height: o.height ?? 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  const expected = new Set(o.expectedStatuses ?? []);
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const status = /status of (\d{3})/.exec(m.text())?.[1];
    if (status && expected.has(Number(status))) return;
    if (o.allowNetworkErrors && /net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|INCOMPLETE_CHUNKED_ENCODING)/.test(m.text())) return;
    errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, errors };
}

/**
 * A loopback TCP proxy in front of the daemon that the test can cut: every open connection (the live streams among
 * them) is dropped at once, as a flaky network or a proxy's idle timeout would; new connections go through again.
 */
export async function cuttableProxy(t: TestContext, target: string): Promise<{ url: string; cut(): void }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
  };
}
