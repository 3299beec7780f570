/** The gateway's vendor table: OpenAI's calls, token, credential and usage beside Anthropic's (which stay as they were). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBody, checkTarget, costOf, UsageTap, type UsageIncrement, VENDORS } from '../../src/gateway/index.ts';
import { upstreamHeaders } from '../../src/gateway/upstream.ts';
import { vendorEndpointChecks } from '../../src/app/vendor-doctor.ts';
import { startScriptedOpenAI } from '../fixtures/scripted-openai/server.ts';

const sse = (data: object) => `event: ${(data as { type: string }).type}\ndata: ${JSON.stringify(data)}\n\n`;

describe('vendor table', () => {
  it('forwards only the Responses call and model listing for OpenAI, and none of Anthropic’s', () => {
    const o = VENDORS.openai;
    const ok = checkTarget('POST', '/v1/responses', o);
    assert.ok(ok.ok && ok.call.counts && ok.call.maxTokensField === 'max_output_tokens');
    assert.ok(checkTarget('GET', '/v1/models?client_version=0.169.0', o).ok);
    assert.deepEqual(checkTarget('POST', '/v1/messages', o), { ok: false, status: 403, why: '/v1/messages is not a model call the gateway forwards' });
    assert.equal((checkTarget('GET', '/v1/responses', o) as { status: number }).status, 405);
    assert.equal((checkTarget('POST', '/v1/responses?stream=true', o) as { status: number }).status, 400);
    assert.equal((checkTarget('POST', '/v1/responses/../files', o) as { status: number }).status, 400);
    assert.equal((checkTarget('POST', '/v1/responses', VENDORS.anthropic) as { status: number }).status, 403, 'Anthropic relays do not forward OpenAI calls');
    const a = checkTarget('POST', '/v1/messages?beta=true');
    assert.ok(a.ok && a.query === 'beta=true' && a.call.counts, 'Anthropic is the default and unchanged');
  });

  it('takes the run token as a Bearer for OpenAI and sends the real key the same way; the container’s own account headers go', () => {
    const o = VENDORS.openai;
    assert.equal(o.tokenOf({ authorization: 'Bearer run-token' }, new URLSearchParams()), 'run-token');
    assert.equal(o.tokenOf({ 'x-api-key': 'run-token' }, new URLSearchParams()), undefined);
    const h = upstreamHeaders({ authorization: 'Bearer run-token', 'openai-project': 'other', 'openai-organization': 'o', 'content-type': 'application/json' }, { apiKey: 'sk-real' }, o);
    assert.deepEqual(h, { authorization: 'Bearer sk-real', 'content-type': 'application/json' });
    assert.deepEqual(upstreamHeaders({ 'x-api-key': 'run' }, { apiKey: 'real' }), { 'x-api-key': 'real' }, 'Anthropic: x-api-key as before');
  });

  it('holds a Responses body to the run’s model allowlist and its max_output_tokens cap', () => {
    const body = (o: object) => Buffer.from(JSON.stringify(o));
    const rules = { maxTokensField: 'max_output_tokens' };
    assert.ok(checkBody({ models: ['gpt-5*'], maxTokens: 100 }, body({ model: 'gpt-5-codex', max_output_tokens: 10 }), rules).ok);
    assert.match((checkBody({ models: ['gpt-5*'] }, body({ model: 'o3' }), rules) as { why: string }).why, /model o3 is not allowed/);
    assert.match((checkBody({ maxTokens: 100 }, body({ model: 'gpt-5', max_output_tokens: 1000 }), rules) as { why: string }).why, /max_output_tokens 1000 is above this run's cap of 100/);
    assert.ok(checkBody({ maxTokens: 100 }, body({ model: 'gpt-5', max_tokens: 1000 }), false).ok, 'count_tokens: no cap');
    const capped = checkBody({ maxTokens: 100 }, body({ model: 'gpt-5.5' }), { ...rules, capWhenMissing: true });
    assert.ok(capped.ok && JSON.parse(capped.body.toString()).max_output_tokens === 100, 'Codex sends no max_output_tokens: the cap is put in');
    assert.equal((checkBody({ maxTokens: 100 }, body({ model: 'claude' }), true) as { why: string }).why, 'max_tokens: expected a positive integer', 'Anthropic: refused as before');
    assert.ok(checkBody({ models: ['gemini-*'] }, body({ contents: [] }), { pathModel: 'gemini-2.5-pro' }).ok, 'a model named by the path');
  });

  it('counts a streamed Responses answer from response.completed, cached input as cache reads, whatever the chunking', () => {
    const stream = [
      sse({ type: 'response.created', response: { id: 'resp_1', object: 'response', model: 'gpt-5-codex', usage: null } }),
      sse({ type: 'response.output_text.delta', delta: 'data: {"type":"response.completed"} is text' }),
      sse({
        type: 'response.completed',
        response: { id: 'resp_1', object: 'response', model: 'gpt-5-codex', usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 200 }, output_tokens: 40 } },
      }),
    ].join('');
    for (const size of [1, 13, stream.length]) {
      const incs: UsageIncrement[] = [];
      const tap = new UsageTap('text/event-stream', (u) => incs.push(u), VENDORS.openai);
      for (let i = 0; i < stream.length; i += size) tap.write(Buffer.from(stream.slice(i, i + size)));
      tap.end();
      assert.deepEqual(incs, [{ inputTokens: 1000, outputTokens: 40, cacheReadTokens: 200, cacheCreationTokens: 0, model: 'gpt-5-codex' }], `chunks of ${size}`);
    }
    const json: UsageIncrement[] = [];
    const tap = new UsageTap('application/json', (u) => json.push(u), VENDORS.openai);
    tap.write(Buffer.from(JSON.stringify({ object: 'response', model: 'gpt-5', usage: { input_tokens: 10, output_tokens: 2 } })));
    tap.end();
    assert.deepEqual(json, [{ inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheCreationTokens: 0, model: 'gpt-5' }]);
    // An Anthropic stream read as OpenAI's counts nothing (each vendor's fields only).
    const none: UsageIncrement[] = [];
    const other = new UsageTap('text/event-stream', (u) => none.push(u), VENDORS.openai);
    other.write(Buffer.from(sse({ type: 'message_start', message: { model: 'claude', usage: { input_tokens: 5 } } })));
    other.end();
    assert.deepEqual(none, []);
  });

  it('prices OpenAI’s models (cached input at a tenth)', () => {
    const cost = costOf('gpt-5-codex', { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 1_000_000, cacheCreationTokens: 0 });
    assert.equal(cost, 1.25 + 10 + 0.125);
  });

  it('doctor tries the OpenAI endpoint only when it is set up, the way the gateway reaches it', async (t) => {
    const openai = await startScriptedOpenAI({ apiKey: 'sk-real' });
    t.after(() => openai.close());
    const none = { openaiBaseUrl: 'https://api.openai.com', openaiApiKey: undefined, geminiBaseUrl: 'https://generativelanguage.googleapis.com', geminiApiKey: undefined };
    assert.deepEqual(await vendorEndpointChecks(none), [], 'no key and a remote URL: nothing sent off this machine');
    const [ok] = await vendorEndpointChecks({ ...none, openaiBaseUrl: openai.url, openaiApiKey: 'sk-real' });
    assert.deepEqual(ok && { name: ok.name, status: ok.status }, { name: 'openai endpoint', status: 'ok' });
    assert.match(ok!.detail, /answers \(HTTP 200\)/);
    assert.equal(openai.requests.at(-1)?.headers.authorization, 'Bearer sk-real');
    await openai.close();
    const [dead] = await vendorEndpointChecks({ ...none, openaiBaseUrl: openai.url });
    assert.equal(dead?.status, 'fail');
    assert.match(dead!.detail, /is unreachable: connection refused/);
  });
});
