/** Choosing Codex at the edge: cli (the same as agent), the codex options block, and the compat API's fields. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runRequestWire } from '../../src/api/compat/wire.ts';
import { withAgentChoice } from '../../src/app/agent-choice.ts';
import { spawnInputSchema } from '../../src/app/spawn-input.ts';

const parse = (o: object) => withAgentChoice(spawnInputSchema.parse({ repo: '/r', task: 't', ...o }));

describe('agent choice', () => {
  it('cli names the agent; the codex block joins its options, over agentOptions', () => {
    const r = parse({ cli: 'codex', agentOptions: { model: 'a', reasoning_effort: 'low' }, codex: { model: 'gpt-5.5' } });
    assert.equal(r.agent, 'codex');
    assert.deepEqual(r.agentOptions, { model: 'gpt-5.5', reasoning_effort: 'low' });
    assert.equal('cli' in r || 'codex' in r, false);
    assert.equal(parse({}).agent, 'claude');
    assert.equal(parse({ agent: 'codex' }).agent, 'codex');
    assert.equal(parse({ agent: 'codex', cli: 'codex' }).agent, 'codex');
  });

  it('refuses two different names and a codex block for another CLI', () => {
    assert.throws(() => parse({ agent: 'gemini', cli: 'codex' }), /agent gemini and cli codex/);
    assert.throws(() => parse({ codex: { model: 'x' } }), /codex options given for a claude run/);
    assert.throws(() => spawnInputSchema.parse({ task: 't', cli: 'cursor' }));
    assert.throws(() => spawnInputSchema.parse({ task: 't', codex: { max_turns: 3 } }), /max_turns/);
  });

  it('the compat run request takes cli and codex beside claude', () => {
    const w = runRequestWire.parse({ prompt: 'p', cli: 'codex', codex: { model: 'gpt-5.5' }, claude: null });
    assert.equal(w.cli, 'codex');
    assert.deepEqual(w.codex, { model: 'gpt-5.5' });
    assert.throws(() => runRequestWire.parse({ prompt: 'p', codex: { nope: 1 } }));
  });
});
