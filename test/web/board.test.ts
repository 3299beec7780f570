/**
 * The web board in a real browser (headless Chromium) against a real daemon, engine and scripted model: a run made
 * from the form moves across the board live, its transcript streams while it runs, its diff is shown and merged,
 * and it lands in done. Screenshots of the board, a run page and a diff page go to docs/images/ (docs/web.md).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { git, makeRepo, ROOT, until } from '../e2e/harness.ts';
import { startDaemon } from '../api/harness.ts';
import { cuttableProxy, launch, openPage } from './browser.ts';

const IMAGES = join(ROOT, 'docs', 'images');

describe('the web board', () => {
  it('a run from the form moves across the board live; its transcript streams while it runs; its diff merges; it is done', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    d.e.model.script('web-run', ({ cwd }) => [
      { text: 'I will add a greeting.', tools: [{ name: 'Write', input: { file_path: `${cwd === '.' ? '' : `${cwd}/`}greeting.txt`, content: 'hello from the board\n<b>not bold</b>\n' } }] },
      { text: 'Now waiting a little, so the board sees me running.', tools: [{ name: 'Bash', input: { command: 'timeout 12 tail -f /dev/null; echo waited', description: 'Wait' } }] },
      { tools: [{ name: 'Bash', input: { command: 'echo oops >&2; exit 3', description: 'Fail on purpose' } }] },
      { text: 'Added greeting.txt.' },
    ]);
    // Another run, which fails at once (the model refuses every call): the board's failed column.
    const failing = await d.json('POST', '/api/v1/runs', { repo, task: 'Refused by the model [[script:http-error 403 permission_error]]', type: 'test' });
    assert.equal(failing.status, 201, JSON.stringify(failing.body));
    const browser = await launch(t);
    const board = await openPage(browser, `${d.url}/`);
    await board.page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    await board.page.evaluate('window.marker = 1');

    // The run page goes through a proxy the test can cut, to drop its live stream mid-run.
    const proxy = await cuttableProxy(t, d.url);
    const form = await openPage(browser, `${proxy.url}/new`, { allowNetworkErrors: true });
    await form.page.getByLabel('Repository').fill(repo);
    await form.page.getByLabel('Task').fill('Add a greeting file [[script:web-run]]');
    await form.page.getByLabel('Type').selectOption('feature');
    await form.page.getByLabel('Branch').fill('web/greeting');
    await form.page.getByLabel('Timeout').fill('10m');
    await form.page.getByRole('button', { name: 'Start the run' }).click();
    await form.page.waitForURL(/\/runs\/[0-9a-f]+$/);
    const id = /\/runs\/([0-9a-f]+)$/.exec(form.page.url())![1]!;

    // The board shows it without a reload: queued or running first.
    const card = board.page.locator(`a[href="/runs/${id}"]`);
    await card.waitFor();
    // The transcript streams while the run is running.
    await form.page.getByText('Now waiting a little').waitFor({ timeout: 120_000 });
    assert.equal(await form.page.locator('.state-name').textContent(), 'running');
    // The stream drops while the agent waits in its tool call; the page reconnects (Last-Event-ID) and goes on.
    proxy.cut();
    await form.page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
    await form.page.getByRole('status').filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
    // The diff of the running run: its clone as it is now (the daemon's live diff).
    const liveDiff = await openPage(browser, `${d.url}/runs/${id}/diff`);
    await liveDiff.page.getByText('live: the run is still working').waitFor({ timeout: 60_000 });
    assert.deepEqual(liveDiff.errors, []);
    await liveDiff.page.context().close();
    await board.page.locator(`[data-column="running"] a[href="/runs/${id}"]`).waitFor();
    await form.page.getByText('Write', { exact: true }).first().click(); // a tool call opens to show its result
    await form.page.locator('.tool-result').first().waitFor();

    // It ends: the failed tool call is highlighted, and the board moves the card to needs review, still without a reload.
    await board.page.locator(`[data-column="review"] a[href="/runs/${id}"]`).waitFor({ timeout: 120_000 });
    await form.page.locator('.state-name', { hasText: 'completed' }).waitFor();
    await form.page.locator('.t-tool.t-failed').first().waitFor();
    await form.page.getByText('Added greeting.txt.').first().waitFor();
    // Every event once, none missing, across the reconnect.
    const events = (await d.json('GET', `/api/v1/runs/${id}/events?limit=10000`)).body.events as { seq: number }[];
    await form.page.locator(`[data-last-seq="${events.at(-1)!.seq}"]`).waitFor();
    assert.equal(await form.page.getByText('I will add a greeting.').count(), 1, 'no event shown twice');
    assert.equal(await form.page.locator('.t-tool').count(), 3, 'three tool calls');
    assert.equal(await form.page.getByText('running…').count(), 0, 'each with its result');
    assert.equal(await board.page.evaluate('window.marker'), 1, 'the board was not reloaded');
    await board.page.locator(`[data-column="failed"] a[href="/runs/${failing.body.id}"]`).waitFor({ timeout: 120_000 });
    mkdirSync(IMAGES, { recursive: true });
    await board.page.screenshot({ path: join(IMAGES, 'board.png') });
    await form.page.screenshot({ path: join(IMAGES, 'run.png'), fullPage: true });

    // The diff: the file tree and the file's lines (agent text as text: no <b> element).
    await form.page.getByRole('link', { name: 'Diff' }).click();
    await form.page.waitForURL(`${proxy.url}/runs/${id}/diff`);
    await form.page.getByRole('navigation', { name: 'Changed files' }).getByText('greeting.txt').waitFor();
    await form.page.getByText('hello from the board').first().waitFor();
    assert.equal(await form.page.locator('.files b').count(), 0, 'diff text is escaped');
    await form.page.getByLabel('Unified').check();
    await form.page.getByText('<b>not bold</b>').first().waitFor();
    await form.page.getByLabel('Side by side').check();
    await form.page.screenshot({ path: join(IMAGES, 'diff.png'), fullPage: true });

    await form.page.getByRole('button', { name: 'Merge into main' }).click();
    await form.page.getByText(/^Merged/).waitFor();
    await board.page.locator(`[data-column="done"] a[href="/runs/${id}"]`).waitFor({ timeout: 30_000 });
    assert.match(await git(repo, 'show', 'main:greeting.txt'), /hello from the board/);

    // Keyboard: the card is reachable with Tab and opens with Enter.
    await board.page.locator('body').focus();
    let focused = '';
    for (let i = 0; i < 30 && focused !== `/runs/${id}`; i++) {
      await board.page.keyboard.press('Tab');
      focused = String(await board.page.evaluate("document.activeElement?.getAttribute('href') ?? ''"));
    }
    assert.equal(focused, `/runs/${id}`, 'the run card is reachable by Tab');
    await board.page.keyboard.press('Enter');
    await board.page.waitForURL(`${d.url}/runs/${id}`);

    // A phone-width screen: one column, nothing wider than the screen.
    const phone = await openPage(browser, `${d.url}/`, { width: 390, height: 844 });
    await phone.page.locator(`a[href="/runs/${id}"]`).waitFor();
    const wide = String(
      await phone.page.evaluate(
        "[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => e.tagName + '.' + e.className).slice(0, 5).join(', ')",
      ),
    );
    assert.equal(wide, '', 'nothing wider than a 390 px screen');
    await phone.page.screenshot({ path: join(IMAGES, 'board-phone.png') });

    assert.deepEqual([...board.errors, ...form.errors, ...phone.errors], [], 'no console errors');
    await until(async () => (await d.json('GET', `/api/v1/runs/${id}`)).body.run.mergedAt !== null || undefined, 'the merge to be recorded', 5000, 100);
  });

  it('a persistent run from the form takes a message from its page, then stops from it', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const browser = await launch(t);
    const p = await openPage(browser, `${d.url}/new`);
    await p.page.getByLabel('Repository').fill(repo);
    await p.page.getByLabel('Task').fill('First question [[script:two-turns]]');
    await p.page.getByLabel(/Persistent/).check();
    await p.page.getByRole('button', { name: 'Start the run' }).click();
    await p.page.waitForURL(/\/runs\/[0-9a-f]+$/);
    const id = /\/runs\/([0-9a-f]+)$/.exec(p.page.url())![1]!;
    assert.equal((await d.json('GET', `/api/v1/runs/${id}`)).body.run.keepAlive, true);
    await p.page.getByText('First answer.').first().waitFor({ timeout: 120_000 });
    await p.page.locator('.state-name', { hasText: 'idle' }).waitFor();
    await p.page.getByLabel('Message').fill('Second question');
    await p.page.getByRole('button', { name: 'Send' }).click();
    await p.page.getByText('Second answer, after resuming.').first().waitFor({ timeout: 120_000 });
    await p.page.getByRole('button', { name: 'Stop' }).click();
    await p.page.locator('.state-name', { hasText: /completed|cancelled/ }).waitFor({ timeout: 60_000 });
    await p.page.getByRole('status').filter({ hasText: 'ended' }).waitFor();
    assert.equal(await p.page.getByRole('button', { name: 'Stop' }).count(), 0, 'no Stop once it has ended');
    assert.equal(await p.page.getByRole('button', { name: 'Send' }).count(), 0, 'no Send once it has ended');
    await p.page.getByRole('button', { name: 'Resume' }).waitFor();
    assert.deepEqual(p.errors, []);
  });
});
