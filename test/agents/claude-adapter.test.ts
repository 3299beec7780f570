import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPrompt, CLAUDE_OFFLINE_ENV, claudeAdapter, PROMPT_TYPES, type PromptType } from '../../src/agents/claude/index.ts';
import { ErrorCode, isPaddockError } from '../../src/errors/index.ts';

const SID = '11111111-2222-4333-8444-555555555555';

describe('claude adapter', () => {
  it('is named claude and wires options, argv, env and parsing together', () => {
    assert.equal(claudeAdapter.name, 'claude');
    const options = claudeAdapter.parseOptions({ model: 'sonnet', max_turns: 4 });
    const argv = claudeAdapter.buildArgv('Fix it', options, { sessionId: SID, resume: false });
    assert.equal(argv[0], 'claude');
    assert.deepEqual(argv.slice(-2), ['--', 'Fix it']);
    assert.ok(argv.includes('--max-turns'));
    assert.deepEqual(claudeAdapter.parseLine('{"type":"assistant","message":{"content":[{"type":"text","text":"hi"}]}}'), [{ kind: 'text', text: 'hi' }]);
  });

  it('parseOptions throws PaddockError INVALID_INPUT naming the field', () => {
    try {
      claudeAdapter.parseOptions({ max_turns: 0 });
      assert.fail('should throw');
    } catch (e) {
      assert.ok(isPaddockError(e));
      assert.equal(e.code, ErrorCode.InvalidInput);
      assert.match(e.message, /claude\.max_turns/);
    }
  });

  it('buildEnv: the model base URL, the per-run token as the API key, and the offline switches', () => {
    const env = claudeAdapter.buildEnv({ baseUrl: 'http://127.0.0.1:4000', token: 'pdk_run_token' });
    assert.deepEqual(env, {
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4000',
      ANTHROPIC_API_KEY: 'pdk_run_token',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
      CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
      CLAUDE_CODE_DISABLE_TERMINAL_TITLE: '1',
    });
    assert.ok(!('ANTHROPIC_AUTH_TOKEN' in env), 'no bearer token: the per-run token goes in x-api-key only');
    assert.ok(Object.isFrozen(CLAUDE_OFFLINE_ENV));
  });
});

describe('claude prompts', () => {
  const ctx = { branch: 'feat/login', base: 'main' };

  it('every type keeps the task verbatim (script tags included) and names branch and base', () => {
    const task = 'Add a login page [[script:write-file]]\nwith "quotes" and $vars';
    for (const t of PROMPT_TYPES) {
      const p = buildPrompt(t, task, ctx);
      assert.ok(p.includes(task), t);
      assert.ok(p.includes('`feat/login`') && p.includes('`main`'), t);
    }
  });
  it('feature: implement, keep tests passing, commit with a clear message', () => {
    const p = buildPrompt('feature', 'X', ctx);
    assert.match(p, /implement/i);
    assert.match(p, /tests .*passing/i);
    assert.match(p, /Commit .*clear message/);
  });
  it('test: write tests, do not change behaviour', () => {
    const p = buildPrompt('test', 'X', ctx);
    assert.match(p, /write tests/i);
    assert.match(p, /Do not change the behaviour/);
  });
  it('mutation: mutate, run tests, report survivors, revert everything', () => {
    const p = buildPrompt('mutation', 'X', ctx);
    assert.match(p, /mutation/i);
    assert.match(p, /survived/);
    assert.match(p, /Revert every mutation/);
    assert.match(p, /Do not commit any mutated code/);
  });
  it('explore: read-only, report findings, change nothing', () => {
    const p = buildPrompt('explore', 'X', ctx);
    assert.match(p, /read-only/);
    assert.match(p, /Do not modify, create or delete files/);
    assert.match(p, /findings/);
  });
  it('the prompts differ per type', () => {
    assert.equal(new Set(PROMPT_TYPES.map((t) => buildPrompt(t, 'X', ctx))).size, PROMPT_TYPES.length);
  });
  it('an unknown type is INVALID_INPUT', () => {
    try {
      buildPrompt('refactor' as PromptType, 'X', ctx);
      assert.fail('should throw');
    } catch (e) {
      assert.ok(isPaddockError(e));
      assert.equal(e.code, ErrorCode.InvalidInput);
    }
  });
});
