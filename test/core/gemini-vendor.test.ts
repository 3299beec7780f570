import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTarget } from '../../src/gateway/request-target.ts';
import { checkBody } from '../../src/gateway/policy.ts';
import { costOf, priceOf } from '../../src/gateway/pricing.ts';
import { UsageTap, type UsageIncrement } from '../../src/gateway/usage-tap.ts';
import { VENDORS } from '../../src/gateway/vendors.ts';

const gemini = VENDORS.gemini;

describe('gateway: the gemini row', () => {
  it('forwards the model calls of allowed shapes only, and takes the token out of ?key=', () => {
    const stream = checkTarget('POST', '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', gemini);
    assert.ok(stream.ok && stream.call.counts && stream.query === 'alt=sse');
    const keyed = checkTarget('POST', '/v1beta/models/gemini-2.5-flash:generateContent?key=run-token', gemini);
    assert.ok(keyed.ok && keyed.query === '' && keyed.call.modelFromPath?.(keyed.path) === 'gemini-2.5-flash');
    const count = checkTarget('POST', '/v1beta/models/gemini-2.5-pro:countTokens', gemini);
    assert.ok(count.ok && !count.call.counts);
    for (const [target, status] of [
      ['/v1beta/models', 403],
      ['/v1beta/models/gemini-2.5-pro:embedContent', 400],
      ['/v1beta/files', 403],
      ['/v1beta/models/../files:generateContent', 400],
      ['/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=json', 400],
      ['/v1beta/models/gemini-2.5-pro:generateContent?upload=1', 400],
      ['/v1/messages', 403],
    ] as const) {
      const r = checkTarget('POST', target, gemini);
      assert.ok(!r.ok && r.status === status, `${target}: ${JSON.stringify(r)}`);
    }
    assert.equal(checkTarget('GET', '/v1beta/models/gemini-2.5-pro:generateContent', gemini).ok, false);
    assert.equal(gemini.tokenOf({ 'x-goog-api-key': 'tok' }, new URLSearchParams()), 'tok');
    assert.equal(gemini.tokenOf({}, new URLSearchParams('key=tok2')), 'tok2');
    const headers: Record<string, string> = {};
    gemini.applyCredential(headers, { apiKey: 'real' });
    assert.deepEqual(headers, { 'x-goog-api-key': 'real' });
  });

  it('the model allowlist applies to the model in the path', () => {
    const body = Buffer.from(JSON.stringify({ contents: [] }));
    const ok = checkBody({ models: ['gemini-2.5-*'] }, body, { pathModel: 'gemini-2.5-pro' });
    assert.ok(ok.ok && ok.model === 'gemini-2.5-pro');
    const no = checkBody({ models: ['gemini-2.5-flash'] }, body, { pathModel: 'gemini-2.5-pro' });
    assert.ok(!no.ok && no.status === 403);
  });

  it('counts usage from SSE chunks (running totals) and JSON, cached input as cache reads, thoughts as output', () => {
    const seen: UsageIncrement[] = [];
    const tap = new UsageTap('text/event-stream', (u) => seen.push(u), gemini);
    const chunk = (usage: unknown) =>
      `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'x' }] } }], modelVersion: 'gemini-2.5-pro', ...(usage ? { usageMetadata: usage } : {}) })}\r\n\r\n`;
    tap.write(Buffer.from(chunk(undefined)));
    tap.write(Buffer.from(chunk({ promptTokenCount: 1000, candidatesTokenCount: 5 })));
    tap.write(Buffer.from(chunk({ promptTokenCount: 1000, candidatesTokenCount: 50, cachedContentTokenCount: 400, thoughtsTokenCount: 7 })));
    tap.end();
    const sum = seen.reduce((a, u) => ({ i: a.i + u.inputTokens, o: a.o + u.outputTokens, c: a.c + u.cacheReadTokens }), { i: 0, o: 0, c: 0 });
    // 1000 prompt tokens of which 400 cached: 600 input + 400 cache reads; 50 + 7 output. (The first reading counted
    // 1000 as input before the cache figure came; totals never go down, so input stays at its high-water mark.)
    assert.equal(sum.o, 57);
    assert.equal(sum.c, 400);
    assert.ok(seen.every((u) => u.model === 'gemini-2.5-pro'));
    const json: UsageIncrement[] = [];
    const jtap = new UsageTap('application/json', (u) => json.push(u), gemini);
    jtap.write(Buffer.from(JSON.stringify({ candidates: [], modelVersion: 'gemini-2.5-flash', usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 2 } })));
    jtap.end();
    assert.deepEqual(json, [{ model: 'gemini-2.5-flash', inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheCreationTokens: 0 }]);
  });

  it('prices the Gemini models', () => {
    assert.deepEqual(priceOf('gemini-2.5-pro'), { input: 1.25, output: 10 });
    assert.deepEqual(priceOf('gemini-2.5-flash-lite'), { input: 0.1, output: 0.4 });
    assert.deepEqual(priceOf('gemini-2.5-flash'), { input: 0.3, output: 2.5 });
    assert.equal(costOf('gemini-2.5-pro', { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadTokens: 0, cacheCreationTokens: 0 }), 2.25);
  });
});

describe('doctor: the gemini endpoint', () => {
  it('is probed the way its runs reach it (the real key, the vendor probe), when set up', async () => {
    const { startScriptedGemini } = await import('../fixtures/scripted-gemini/server.ts');
    const { vendorEndpointChecks } = await import('../../src/app/vendor-doctor.ts');
    const server = await startScriptedGemini({ apiKey: 'real-gemini-key' });
    try {
      const [check] = await vendorEndpointChecks({ openaiBaseUrl: 'https://api.openai.com', geminiBaseUrl: server.url, geminiApiKey: 'real-gemini-key' });
      assert.equal(check?.name, 'gemini endpoint');
      assert.equal(check?.status, 'ok', check?.detail);
      assert.deepEqual(
        server.requests.map((r) => [r.method, r.path, r.status, r.headers['x-goog-api-key']]),
        [['GET', '/v1beta/models', 200, 'real-gemini-key']],
      );
    } finally {
      await server.close();
    }
  });
});
