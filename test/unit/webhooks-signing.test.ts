/** Webhook signing (Stromboli's scheme), verification with a fake clock, backoff, targets and the payload shape. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { backoffMs, redact } from '../../src/app/webhooks/dispatcher.ts';
import { webhookPayload } from '../../src/app/webhooks/payload.ts';
import { signWebhook, verifyWebhook } from '../../src/app/webhooks/signing.ts';
import { checkWebhookTarget, isPrivateAddress } from '../../src/app/webhooks/target.ts';
import { isPaddockError } from '../../src/errors/index.ts';
import { runRow } from '../fixtures/run-row.ts';

describe('webhook signing', () => {
  const secret = 'whsec-test';
  const body = '{"job_id":"abc","status":"completed"}';

  it('is HMAC-SHA256 over "<timestamp>.<body>", as sha256=<lowercase hex>', () => {
    const sig = signWebhook(secret, 1700000000, body);
    const want = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    assert.equal(sig, `sha256=${want}`);
    assert.match(sig, /^sha256=[0-9a-f]{64}$/);
  });

  it('verifies with or without the prefix, within the allowed age only', () => {
    const nowMs = 1700000000_000;
    const sig = signWebhook(secret, 1700000000, body);
    assert.equal(verifyWebhook(secret, '1700000000', sig, body, { nowMs }), true);
    assert.equal(verifyWebhook(secret, '1700000000', sig.slice(7), body, { nowMs }), true);
    assert.equal(verifyWebhook(secret, '1700000000', sig, body, { nowMs: nowMs + 301_000 }), false, 'too old');
    assert.equal(verifyWebhook(secret, '1700000000', sig, body, { nowMs: nowMs + 299_000 }), true);
    assert.equal(verifyWebhook(secret, '1700000001', sig, body, { nowMs }), false, 'another timestamp');
    assert.equal(verifyWebhook(secret, '1700000000', sig, `${body} `, { nowMs }), false, 'another body');
    assert.equal(verifyWebhook('other', '1700000000', sig, body, { nowMs }), false, 'another secret');
    assert.equal(verifyWebhook(secret, 'x', sig, body, { nowMs }), false);
    assert.equal(verifyWebhook(secret, '1700000000', 'sha256=zz', body, { nowMs }), false);
  });
});

describe('webhook delivery rules', () => {
  it('backs off exponentially from 1 s, capped', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffMs(n)),
      [1000, 2000, 4000, 8000, 16000],
    );
    assert.equal(backoffMs(20), 600_000);
    assert.equal(backoffMs(1000), 600_000);
    assert.equal(backoffMs(3, 100, 250), 250);
  });

  it('logs URLs without query or credentials', () => {
    assert.equal(redact('https://user:pw@hooks.example.com:8443/a/b?token=s3cret#x'), 'https://hooks.example.com:8443/a/b');
  });

  it('knows loopback, private, link-local and mapped addresses', () => {
    for (const a of [
      '127.0.0.1',
      '127.9.9.9',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'not-an-ip',
    ]) {
      assert.equal(isPrivateAddress(a), true, a);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPrivateAddress(a), false, a);
  });

  it('refuses private targets at spawn unless allowed (no DNS needed for these)', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost:8080/',
      'http://api.localhost/',
      'http://[::1]:80/',
      'http://10.0.0.5/',
      'http://169.254.169.254/latest/meta-data',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      await assert.rejects(checkWebhookTarget(url, false), (e) => isPaddockError(e) && e.code === 'INVALID_INPUT' && /private/.test(e.message), url);
      await checkWebhookTarget(url, true);
    }
    await checkWebhookTarget('http://8.8.8.8/hook', false);
  });
});

describe('webhook payload', () => {
  it("is Stromboli's JobResult first (omitempty), then Paddock's fields; no host paths or tokens", () => {
    const run = runRow('abc123def456', {
      state: 'completed',
      resultText: 'done',
      sessionId: '0b6c0f7e-1b8e-4c8e-9a7e-6d1f7f0a9a11',
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 2,
      cacheCreationTokens: 1,
      costUsd: 0.25,
    });
    const p = webhookPayload(run, 'claude-test');
    assert.deepEqual(Object.keys(p).slice(0, 5), ['job_id', 'status', 'output', 'session_id', 'usage']);
    assert.equal(p.job_id, 'job-abc123def456', 'the id the Stromboli face gave the job');
    assert.equal(p.run_id, 'abc123def456');
    assert.equal(p.status, 'completed');
    assert.equal(p.error, undefined);
    assert.deepEqual(p.usage, { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 1, cache_read_input_tokens: 2, total_tokens: 18, estimated_cost_usd: 0.25, model: 'claude-test' });
    const text = JSON.stringify(p);
    assert.ok(!text.includes('"tok"'), 'no model token');
    assert.ok(!text.includes(run.runDir), 'no run dir');
    const timedOut = webhookPayload(runRow('abc123def457', { state: 'timed_out', reason: 'timed out after 1s', inputTokens: null, outputTokens: null, costUsd: null }), undefined);
    assert.equal(timedOut.status, 'failed');
    assert.equal(timedOut.state, 'timed_out');
    assert.equal(timedOut.error, 'timed out after 1s');
    assert.equal(timedOut.usage, undefined);
    assert.equal(webhookPayload(runRow('abc123def458', { state: 'failed', exitCode: 137, reason: 'out of memory' }), undefined).status, 'crashed');
    assert.equal(webhookPayload(runRow('abc123def459', { state: 'cancelled', reason: 'stopped by user' }), undefined).status, 'cancelled');
  });
});
