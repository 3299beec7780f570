import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildClaudeArgv, type ClaudeOptionsInput, encodeClaudeMessage, parseClaudeOptions } from '../../src/agents/claude/index.ts';

const SID = '11111111-2222-4333-8444-555555555555';
const OLD = '99999999-2222-4333-8444-555555555555';

const argv = (options: ClaudeOptionsInput = {}, ctx: { sessionId?: string; resume?: boolean } = {}, prompt = 'Do the task') =>
  buildClaudeArgv(prompt, parseClaudeOptions(options), { sessionId: ctx.sessionId ?? SID, resume: ctx.resume ?? false });

/** The part between the fixed head (claude -p --output-format stream-json --verbose) and the trailing `-- <prompt>`. */
const middle = (a: string[]): string[] => a.slice(5, -2);

describe('claude argv: fixed frame', () => {
  it('a new session: claude -p stream-json --verbose --session-id, bypass permissions, then -- prompt', () => {
    assert.deepEqual(argv(), ['claude', '-p', '--output-format', 'stream-json', '--verbose', '--session-id', SID, '--dangerously-skip-permissions', '--', 'Do the task']);
  });
  it('the prompt is always the last element, after --, verbatim (leading dashes, quotes, newlines, $)', () => {
    for (const p of ['--help', '-x do it', 'it\'s "quoted" $HOME `x` \n second line', '', '[[script:bash rm -rf /tmp/x]]']) {
      const a = argv({ allowed_tools: ['Read', 'Write'] }, {}, p);
      assert.equal(a.at(-1), p);
      assert.equal(a.at(-2), '--');
      assert.equal(a.indexOf('--'), a.length - 2, 'only one --, right before the prompt');
    }
  });
  it('output_format and verbose change nothing: stream-json and --verbose are always there, once', () => {
    const a = argv({ output_format: 'stream-json', verbose: false });
    assert.deepEqual(a, argv());
    assert.equal(a.filter((x) => x === '--verbose').length, 1);
    assert.equal(a.filter((x) => x === '--output-format').length, 1);
  });
  it('every element is a string (no shell, no joining)', () => {
    const a = argv({ max_turns: 3, max_budget_usd: 1.25, agents: { r: { description: 'd', prompt: 'p' } } });
    assert.ok(a.every((x) => typeof x === 'string'));
  });
});

describe('claude argv: session', () => {
  it('resume: --resume <id> and no --session-id', () => {
    const a = argv({}, { sessionId: OLD, resume: true });
    assert.deepEqual(middle(a), ['--resume', OLD, '--dangerously-skip-permissions']);
  });
  it('resume + fork_session: --resume <id> --fork-session (the CLI picks the new id; init reports it)', () => {
    const a = argv({ session_id: OLD, resume: true, fork_session: true }, { sessionId: OLD, resume: true });
    assert.deepEqual(middle(a).slice(0, 3), ['--resume', OLD, '--fork-session']);
    assert.ok(!a.includes('--session-id'));
  });
  it('continue: --continue alone (2.1.332 refuses --session-id with it unless forking)', () => {
    assert.deepEqual(middle(argv({ continue: true })), ['--continue', '--dangerously-skip-permissions']);
  });
  it('continue + fork_session: --continue --fork-session --session-id <new id>', () => {
    assert.deepEqual(middle(argv({ continue: true, fork_session: true })).slice(0, 4), ['--continue', '--fork-session', '--session-id', SID]);
  });
});

describe('claude argv: one flag per option', () => {
  const cases: [string, ClaudeOptionsInput, string[]][] = [
    ['model', { model: 'opus' }, ['--model', 'opus']],
    ['fallback_model', { fallback_model: 'sonnet,haiku' }, ['--fallback-model', 'sonnet,haiku']],
    ['system_prompt', { system_prompt: 'You are terse.' }, ['--system-prompt', 'You are terse.']],
    ['system_prompt starting with -', { system_prompt: '--be terse' }, ['--system-prompt', '--be terse']],
    ['append_system_prompt', { append_system_prompt: 'Be nice.' }, ['--append-system-prompt', 'Be nice.']],
    ['allowed_tools', { allowed_tools: ['Bash(git *)', 'Read'] }, ['--allowedTools', 'Bash(git *)', 'Read']],
    ['disallowed_tools', { disallowed_tools: ['WebFetch', 'WebSearch'] }, ['--disallowedTools', 'WebFetch', 'WebSearch']],
    ['json_schema', { json_schema: { type: 'object' } }, ['--json-schema', '{"type":"object"}']],
    ['max_budget_usd', { max_budget_usd: 1.5 }, ['--max-budget-usd', '1.5']],
    ['max_turns', { max_turns: 7 }, ['--max-turns', '7']],
    ['mcp_configs', { mcp_configs: ['{"mcpServers":{}}', '/etc/mcp.json'] }, ['--mcp-config', '{"mcpServers":{}}', '/etc/mcp.json']],
    ['agents', { agents: { reviewer: { description: 'Reviews', prompt: 'You review' } } }, ['--agents', '{"reviewer":{"description":"Reviews","prompt":"You review"}}']],
    ['add_dirs', { add_dirs: ['/data', '/more'] }, ['--add-dir', '/data', '/more']],
    ['settings', { settings: '{"a":1}' }, ['--settings', '{"a":1}']],
    ['betas', { betas: ['context-1m-2025-08-07'] }, ['--betas', 'context-1m-2025-08-07']],
    ['include_partial_messages', { include_partial_messages: true }, ['--include-partial-messages']],
  ];
  for (const [name, options, flags] of cases) {
    it(`${name} → ${flags[0]}`, () => {
      const m = middle(argv(options));
      const at = m.indexOf(flags[0]!);
      assert.ok(at >= 0, `${flags[0]} missing in ${JSON.stringify(m)}`);
      assert.deepEqual(m.slice(at, at + flags.length), flags);
      assert.equal(m.filter((x) => x === flags[0]).length, 1, 'once');
    });
  }
  it('false / empty values add nothing', () => {
    assert.deepEqual(argv({ include_partial_messages: false, allowed_tools: [], disallowed_tools: [], mcp_configs: [], add_dirs: [], betas: [], continue: false, fork_session: false }), argv());
  });
});

describe('claude argv: permissions', () => {
  it('bypass by default (the container is sealed)', () => {
    assert.ok(argv().includes('--dangerously-skip-permissions'));
  });
  it('dangerously_skip_permissions: false turns it off', () => {
    assert.ok(!argv({ dangerously_skip_permissions: false }).includes('--dangerously-skip-permissions'));
  });
  it('an explicit permission_mode turns the default bypass off (bypass would override the mode)', () => {
    const a = argv({ permission_mode: 'plan' });
    assert.deepEqual(middle(a).slice(2), ['--permission-mode', 'plan']);
    assert.ok(!a.includes('--dangerously-skip-permissions'));
  });
  it('permission_mode with dangerously_skip_permissions: true passes both, as asked', () => {
    const a = argv({ permission_mode: 'acceptEdits', dangerously_skip_permissions: true });
    assert.ok(a.includes('--dangerously-skip-permissions'));
    assert.ok(a.includes('acceptEdits'));
  });
});

describe('claude argv: persistent (keepAlive)', () => {
  const persistent = (options: ClaudeOptionsInput = {}, resume = false) => buildClaudeArgv('Do the task', parseClaudeOptions(options), { sessionId: resume ? OLD : SID, resume, persistent: true });
  it('stream-json both ways, the session, options, and no prompt argument (every turn comes on stdin)', () => {
    assert.deepEqual(persistent({ max_turns: 3 }), [
      'claude',
      '-p',
      '--input-format',
      'stream-json',
      '--output-format',
      'stream-json',
      '--verbose',
      '--session-id',
      SID,
      '--dangerously-skip-permissions',
      '--max-turns',
      '3',
    ]);
    assert.ok(!persistent().includes('--'), 'no -- and no prompt');
    assert.ok(!persistent().includes('Do the task'));
  });
  it('resumes like any run', () => {
    assert.deepEqual(persistent({}, true).slice(7, 9), ['--resume', OLD]);
  });
  it('a message is one stream-json user line, whatever the text holds', () => {
    const line = encodeClaudeMessage('two\nlines, "quotes" and \u2028');
    assert.ok(!line.includes('\n'));
    assert.deepEqual(JSON.parse(line), { type: 'user', message: { role: 'user', content: [{ type: 'text', text: 'two\nlines, "quotes" and \u2028' }] } });
  });
});
