import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { CLAUDE_OPTION_FIELDS, claudeOptionsSchema, PERMISSION_MODES, parseClaudeOptions, UNSUPPORTED_STROMBOLI_FIELDS } from '../../src/agents/claude/index.ts';
import { ErrorCode, isPaddockError, type PaddockError } from '../../src/errors/index.ts';

const UUID = '550e8400-e29b-41d4-a716-446655440000';

function rejects(input: unknown, ...fragments: (string | RegExp)[]): PaddockError {
  try {
    parseClaudeOptions(input);
  } catch (e) {
    assert.ok(isPaddockError(e), `expected a PaddockError, got ${String(e)}`);
    assert.equal(e.code, ErrorCode.InvalidInput);
    for (const f of fragments) {
      if (typeof f === 'string') assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} should include ${JSON.stringify(f)}`);
      else assert.match(e.message, f);
    }
    return e;
  }
  assert.fail(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('claude options: the Stromboli field set', () => {
  it('has exactly the fields Stromboli exposes that Paddock supports', () => {
    assert.deepEqual([...CLAUDE_OPTION_FIELDS].sort(), [
      'add_dirs',
      'agents',
      'allowed_tools',
      'append_system_prompt',
      'betas',
      'continue',
      'dangerously_skip_permissions',
      'disallowed_tools',
      'fallback_model',
      'fork_session',
      'include_partial_messages',
      'json_schema',
      'max_budget_usd',
      'max_turns',
      'mcp_configs',
      'model',
      'output_format',
      'permission_mode',
      'resume',
      'session_id',
      'settings',
      'system_prompt',
      'verbose',
    ]);
  });

  it('describes every field (so the schema can generate docs)', () => {
    for (const [name, field] of Object.entries(claudeOptionsSchema.shape)) {
      assert.ok((field as z.ZodType).description, `${name} has no description`);
    }
    const json = z.toJSONSchema(claudeOptionsSchema, { io: 'input' }) as { properties: Record<string, { description?: string }>; additionalProperties?: boolean };
    assert.equal(Object.keys(json.properties).length, CLAUDE_OPTION_FIELDS.length);
    assert.ok(json.properties.max_turns?.description?.includes('--max-turns'));
    assert.equal(json.additionalProperties, false);
  });

  it('docs/agents.md documents every field and every left-out Stromboli field', () => {
    const doc = readFileSync(new URL('../../docs/agents.md', import.meta.url), 'utf8');
    for (const f of [...CLAUDE_OPTION_FIELDS, ...Object.keys(UNSUPPORTED_STROMBOLI_FIELDS)]) assert.ok(doc.includes(`\`${f}\``), `${f} is not in docs/agents.md`);
  });

  it('accepts the empty object, undefined and null as "no options"', () => {
    assert.deepEqual(parseClaudeOptions({}), {});
    assert.deepEqual(parseClaudeOptions(undefined), {});
    assert.deepEqual(parseClaudeOptions(null), {});
  });

  it('accepts a full, valid Stromboli claude object', () => {
    const o = parseClaudeOptions({
      session_id: UUID,
      resume: true,
      fork_session: true,
      model: 'sonnet',
      fallback_model: 'haiku',
      system_prompt: 'You are terse.',
      append_system_prompt: 'Be nice.',
      allowed_tools: ['Bash(git *)', 'Read'],
      disallowed_tools: ['WebFetch'],
      permission_mode: 'acceptEdits',
      dangerously_skip_permissions: false,
      output_format: 'stream-json',
      json_schema: '{"type":"object"}',
      max_budget_usd: 2.5,
      max_turns: 30,
      mcp_configs: ['{"mcpServers":{}}'],
      agents: { reviewer: { description: 'Reviews code', prompt: 'You review', tools: ['Read'] } },
      add_dirs: ['/data'],
      settings: { cleanupPeriodDays: 30 },
      betas: ['context-1m-2025-08-07'],
      verbose: true,
      include_partial_messages: true,
    });
    assert.equal(o.max_turns, 30);
    assert.equal(o.settings, '{"cleanupPeriodDays":30}', 'an object is kept as the JSON string the CLI gets');
    assert.equal(o.json_schema, '{"type":"object"}');
    assert.deepEqual(o.agents, { reviewer: { description: 'Reviews code', prompt: 'You review', tools: ['Read'] } });
  });

  it('accepts json_schema as an object and keeps extra keys of an agent definition', () => {
    const o = parseClaudeOptions({ json_schema: { type: 'object' }, agents: { a: { description: 'd', prompt: 'p', color: 'blue' } } });
    assert.equal(o.json_schema, '{"type":"object"}');
    assert.deepEqual(o.agents, { a: { description: 'd', prompt: 'p', color: 'blue' } });
  });
});

describe('claude options: each field is validated', () => {
  it('session_id must be a UUID (any version, either case, as the CLI accepts)', () => {
    rejects({ session_id: 'sess-abc123' }, 'claude.session_id', 'UUID');
    rejects({ session_id: '' }, 'claude.session_id');
    assert.equal(parseClaudeOptions({ session_id: '12345678-1234-1234-1234-123456789ABC' }).session_id, '12345678-1234-1234-1234-123456789ABC');
  });
  it('resume needs session_id, cannot go with continue; fork_session needs resume or continue', () => {
    rejects({ resume: true }, 'claude.resume', 'session_id');
    rejects({ resume: true, continue: true, session_id: UUID }, 'claude.continue');
    rejects({ fork_session: true }, 'claude.fork_session');
    assert.equal(parseClaudeOptions({ continue: true, fork_session: true }).fork_session, true);
  });
  it('booleans must be booleans', () => {
    for (const f of ['resume', 'continue', 'fork_session', 'dangerously_skip_permissions', 'verbose', 'include_partial_messages']) {
      rejects({ [f]: 'yes' }, `claude.${f}: must be a boolean`);
    }
  });
  it('strings must be non-empty strings', () => {
    for (const f of ['model', 'fallback_model', 'system_prompt', 'append_system_prompt']) {
      rejects({ [f]: '' }, `claude.${f}`, 'must not be empty');
      rejects({ [f]: 3 }, `claude.${f}: must be a string`);
    }
  });
  it('permission_mode is one of the modes Claude Code 2.1.332 accepts', () => {
    for (const m of PERMISSION_MODES) assert.equal(parseClaudeOptions({ permission_mode: m }).permission_mode, m);
    rejects({ permission_mode: 'delegate' }, 'claude.permission_mode', 'must be one of acceptEdits, auto, bypassPermissions, default, dontAsk, manual, plan');
  });
  it('output_format can only be stream-json', () => {
    assert.equal(parseClaudeOptions({ output_format: 'stream-json' }).output_format, 'stream-json');
    rejects({ output_format: 'json' }, 'claude.output_format', 'stream-json');
  });
  it('json_schema and settings must be JSON objects', () => {
    rejects({ json_schema: 'not json' }, 'claude.json_schema', 'JSON object');
    rejects({ json_schema: '[1,2]' }, 'claude.json_schema');
    rejects({ settings: '"x"' }, 'claude.settings', 'JSON object');
    rejects({ settings: 5 }, 'claude.settings');
  });
  it('max_budget_usd is a positive number', () => {
    rejects({ max_budget_usd: 0 }, 'claude.max_budget_usd', 'more than 0');
    rejects({ max_budget_usd: -1 }, 'claude.max_budget_usd');
    rejects({ max_budget_usd: '5' }, 'claude.max_budget_usd', 'number');
    assert.equal(parseClaudeOptions({ max_budget_usd: 0.25 }).max_budget_usd, 0.25);
  });
  it('max_turns is a positive integer', () => {
    rejects({ max_turns: 0 }, 'claude.max_turns', 'positive integer');
    rejects({ max_turns: -3 }, 'claude.max_turns');
    rejects({ max_turns: 1.5 }, 'claude.max_turns', 'whole number');
    rejects({ max_turns: '3' }, 'claude.max_turns');
    assert.equal(parseClaudeOptions({ max_turns: 1 }).max_turns, 1);
  });
  it('list items must be non-empty and must not look like flags', () => {
    for (const f of ['allowed_tools', 'disallowed_tools', 'mcp_configs', 'add_dirs', 'betas']) {
      rejects({ [f]: 'Read' }, `claude.${f}: must be an array`);
      rejects({ [f]: [''] }, `claude.${f}[0]`);
      rejects({ [f]: ['ok', '--dangerously-skip-permissions'] }, `claude.${f}[1]`, 'must not start with "-"');
    }
    rejects({ betas: ['bad beta'] }, 'claude.betas[0]');
  });
  it('agents is an object of definitions with description and prompt', () => {
    rejects({ agents: [] }, 'claude.agents: must be an object');
    rejects({ agents: { r: { description: 'd' } } }, 'claude.agents.r.prompt: is required');
    rejects({ agents: { r: 'x' } }, 'claude.agents.r');
  });
  it('a non-object is rejected', () => {
    rejects('model=opus', 'must be a JSON object');
    rejects([1], 'must be a JSON object');
  });
});

describe('claude options: unknown fields are rejected by name', () => {
  it('names every unknown field and lists the accepted ones in the hint', () => {
    const e = rejects({ modle: 'opus', max_turn: 3 }, 'unknown fields claude.modle, claude.max_turn');
    assert.ok(e.hint?.includes('max_turns'));
  });
  it('says why for Stromboli fields Paddock leaves out', () => {
    for (const f of Object.keys(UNSUPPORTED_STROMBOLI_FIELDS)) rejects({ [f]: true }, `claude.${f} is not supported (`);
  });
  it('reports all problems at once', () => {
    const e = rejects({ foo: 1, max_turns: 0, permission_mode: 'x' }, 'claude.foo', 'claude.max_turns', 'claude.permission_mode');
    assert.equal((e.details?.problems as string[] | undefined)?.length, 3);
  });
});
