import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { costOf, priceOf } from '../../src/gateway/index.ts';

const u = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 1_000_000, cacheCreationTokens: 1_000_000 };

it('prices from PADDOCK_MODEL_PRICES come before the built-in table; bad ones fail at start naming the key', () => {
  assert.deepEqual(priceOf('claude-opus-5-5'), { input: 4, output: 20 });
  assert.equal(priceOf('gpt-x'), undefined);
  const { modelPrices } = loadConfig({ PADDOCK_HOME: '/tmp/paddock-pricing-test', PADDOCK_MODEL_PRICES: '{"claude-opus-5*": {"input": 1, "output": 2}, "local-*": {"input": 0, "output": 0}}' });
  assert.deepEqual(priceOf('claude-opus-5-5', modelPrices), { input: 1, output: 2 });
  assert.equal(costOf('claude-opus-5-5', u, modelPrices), 1 + 2 + 0.1 + 1.25);
  assert.equal(costOf('local-llama', u, modelPrices), 0);
  assert.deepEqual(priceOf('claude-sonnet-4-5', modelPrices), { input: 3, output: 15 }, 'the rest from the built-in table');
  assert.throws(() => loadConfig({ PADDOCK_HOME: '/tmp/x', PADDOCK_MODEL_PRICES: '{"a": {"input": -1, "output": 1}}' }), /PADDOCK_MODEL_PRICES/);
  assert.throws(() => loadConfig({ PADDOCK_HOME: '/tmp/x', PADDOCK_MODEL_PRICES: '[1' }), /PADDOCK_MODEL_PRICES is not JSON/);
});
