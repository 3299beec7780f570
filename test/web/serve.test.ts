/**
 * The web board without runs: the daemon serves the app (CSP, cache headers, content types, client routes); a bad
 * form value shows the API schema's own message; with auth on, nothing is readable before a login. Real daemon,
 * headless Chromium.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRepo } from '../e2e/harness.ts';
import { startDaemon } from '../api/harness.ts';
import { cuttableProxy, launch, openPage } from './browser.ts';

describe('the web board, served', () => {
  it('serves the app at / with its CSP, cache headers and content types; client routes answer index.html', async (t) => {
    const d = await startDaemon(t);
    const index = await d.fetch('/');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const html = await index.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline scripts');
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    assert.ok(js && css, html);
    const asset = await d.fetch(js);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /^(text|application)\/javascript/);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match((await d.fetch(css)).headers.get('content-type') ?? '', /^text\/css/);
    for (const route of ['/new', '/login', '/runs/abc123', '/runs/abc123/diff']) {
      const r = await d.fetch(route);
      assert.equal(r.status, 200, route);
      assert.equal(await r.text(), html, route);
    }
    assert.equal((await d.fetch('/assets/nope.js')).status, 404);
    assert.equal((await d.fetch('/api/v1/nope')).status, 404, 'the API keeps its own 404s');
  });

  it('a bad form value shows the schema’s own message next to its field', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const browser = await launch(t);
    const form = await openPage(browser, `${d.url}/new`, { expectedStatuses: [400] });
    await form.page.getByLabel('Repository').fill(repo);
    await form.page.getByLabel('Task').fill('   ');
    await form.page.getByRole('button', { name: 'Start the run' }).click();
    const said = await d.json('POST', '/api/v1/runs', { repo, task: '   ' });
    assert.equal(said.status, 400);
    const message = String(said.body.error.message).replace(/^task: /, '');
    await form.page.locator('#task-error').filter({ hasText: message }).waitFor();
    assert.equal(await form.page.getByLabel('Task').getAttribute('aria-invalid'), 'true');
    // The budget is the gateway's field: a word there gets the schema's own words for it.
    await form.page.getByLabel('Task').fill('A real task');
    await form.page.getByLabel('Budget (USD)').fill('lots');
    await form.page.getByRole('button', { name: 'Start the run' }).click();
    await form.page.locator('#budget-error').filter({ hasText: 'must be a number of US dollars' }).waitFor();
    assert.equal(await form.page.locator('#task-error').count(), 0, 'the fixed field has no message any more');
    assert.deepEqual(form.errors, []);
    assert.equal((await d.json('GET', '/api/v1/runs?all=true')).body.runs.length, 0, 'nothing was started');
  });

  it('with auth on, nothing is readable before a login; a token logs in (exchanged for a JWT), and the board is live', async (t) => {
    const token = 'web-board-test-token-0123456789abcdef';
    const d = await startDaemon(t, { PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: token, PADDOCK_JWT_SECRET: 'a-jwt-secret-for-the-web-board-test-0123456789' });
    for (const path of ['/api/v1/runs', '/api/v1/board/stream', '/api/v1/ping']) assert.equal((await d.fetch(path)).status, 401, path);
    const browser = await launch(t);
    const proxy = await cuttableProxy(t, d.url);
    const p = await openPage(browser, `${proxy.url}/`, { expectedStatuses: [401], allowNetworkErrors: true });
    await p.page.waitForURL(/\/login\?next=/);
    assert.equal(await p.page.locator('.run-card').count(), 0);
    await p.page.getByLabel('Token').fill('not-the-token');
    await p.page.getByRole('button', { name: 'Log in' }).click();
    await p.page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
    await p.page.getByLabel('Token').fill(token);
    await p.page.getByRole('button', { name: 'Log in' }).click();
    await p.page.waitForURL(`${proxy.url}/`);
    await p.page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    // The connection drops (the proxy in front cuts it): the live stream comes back by itself, with the same login.
    proxy.cut();
    await p.page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
    await p.page.getByRole('status').filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
    assert.match(p.page.url(), /\/$/, 'still on the board');
    const kept = (await p.page.evaluate("sessionStorage.getItem('paddock.token')")) as string | null;
    assert.equal(kept?.split('.').length, 3, 'the browser keeps a JWT, not the static token');
    await p.page.getByRole('button', { name: 'Log out' }).click();
    await p.page.waitForURL(/\/login/);
    assert.equal((await d.fetch('/api/v1/ping', { headers: { authorization: `Bearer ${kept}` } })).status, 401, 'logging out revoked the JWT');
    assert.deepEqual(p.errors, []);
  });
});
