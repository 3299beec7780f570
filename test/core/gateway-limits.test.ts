/** What spawn settles for the gateway (budget, tree, models, max_tokens), on a real store in a fresh home; no engine. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { settleGatewayLimits } from '../../src/app/gateway-limits.ts';
import { loadConfig, openPaddock, type Paddock } from '../../src/app/index.ts';
import { spawnInputSchema } from '../../src/app/spawn-input.ts';
import { runRow } from '../fixtures/run-row.ts';

function open(t: TestContext, env: NodeJS.ProcessEnv = {}): Paddock {
  const home = mkdtempSync(join(tmpdir(), 'paddock-gwlimits-'));
  const p = openPaddock(loadConfig({ PADDOCK_HOME: home, ...env }));
  t.after(async () => {
    await p.close();
    rmSync(home, { recursive: true, force: true });
  });
  return p;
}

const req = (x: Record<string, unknown>) => spawnInputSchema.parse({ task: 't', repo: '/r', ...x });

describe('gateway limits at spawn', () => {
  it('a budget from --budget or the agent option max_budget_usd; a tree root found through any depth; a spent tree refuses new children', (t) => {
    const p = open(t);
    assert.equal(settleGatewayLimits(p, req({ budget: 2 }), {}).maxBudgetUsd, 2);
    assert.equal(settleGatewayLimits(p, req({}), { max_budget_usd: 0.5 }).maxBudgetUsd, 0.5);
    assert.equal(settleGatewayLimits(p, req({ budget: 2 }), { max_budget_usd: 0.5 }).maxBudgetUsd, 2, 'the run field wins');
    assert.equal(settleGatewayLimits(p, req({}), {}).rootRunId, null);

    p.runs.insert(runRow('aaaaaaaaaaa1', { maxBudgetUsd: 1, repo: '/r', branch: 'a' }));
    const child = settleGatewayLimits(p, req({ parentRunId: 'aaaaaaaaaaa1' }), {});
    assert.deepEqual([child.parentRunId, child.rootRunId], ['aaaaaaaaaaa1', 'aaaaaaaaaaa1']);
    p.runs.insert(runRow('bbbbbbbbbbb2', { parentRunId: 'aaaaaaaaaaa1', rootRunId: 'aaaaaaaaaaa1', repo: '/r', branch: 'b' }));
    const grandchild = settleGatewayLimits(p, req({ parentRunId: 'bbbb' }), {});
    assert.deepEqual([grandchild.parentRunId, grandchild.rootRunId], ['bbbbbbbbbbb2', 'aaaaaaaaaaa1']);

    p.runs.addUsage('bbbbbbbbbbb2', { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 }, 0.6);
    p.runs.addUsage('aaaaaaaaaaa1', { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 }, 0.4);
    assert.equal(p.runs.treeSpend('aaaaaaaaaaa1'), 1);
    assert.throws(() => settleGatewayLimits(p, req({ parentRunId: 'bbbbbbbbbbb2' }), {}), /budget of run aaaaaaaaaaa1's tree is spent/);
    assert.throws(() => settleGatewayLimits(p, req({ parentRunId: 'ccccccccccc3' }), {}), /no run ccccccccccc3/);
    assert.throws(() => req({ parentRunId: '../x' }), /expected a run id/);
  });

  it('models and max_tokens: server defaults, narrowed per run, never widened', (t) => {
    const p = open(t, { PADDOCK_GATEWAY_MODELS: 'claude-sonnet-*,claude-haiku-*', PADDOCK_GATEWAY_MAX_TOKENS: '64000' });
    assert.deepEqual(settleGatewayLimits(p, req({}), {}), { parentRunId: null, rootRunId: null, maxBudgetUsd: null, allowedModels: ['claude-sonnet-*', 'claude-haiku-*'], maxTokens: 64000 });
    const narrowed = settleGatewayLimits(p, req({ allowedModels: ['claude-sonnet-4-5'], maxTokens: 1000 }), {});
    assert.deepEqual([narrowed.allowedModels, narrowed.maxTokens], [['claude-sonnet-4-5'], 1000]);
    assert.throws(() => settleGatewayLimits(p, req({ allowedModels: ['claude-opus-*'] }), {}), /outside the server's model allowlist/);
    assert.throws(() => settleGatewayLimits(p, req({ allowedModels: ['*'] }), {}), /outside the server's model allowlist/);
    assert.throws(() => settleGatewayLimits(p, req({ maxTokens: 128000 }), {}), /above the server's cap/);
    assert.throws(() => settleGatewayLimits(p, req({ model: 'claude-opus-5-5' }), {}), /not in the run's model allowlist/);
    assert.equal(settleGatewayLimits(p, req({ model: 'sonnet' }), {}).allowedModels?.length, 2, 'an alias is resolved by the agent, and checked per call');
    assert.throws(() => req({ allowedModels: ['claude-$(x)'] }), /a model glob is/);
  });
});
