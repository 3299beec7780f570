import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createGeminiParser, DEFAULT_GEMINI_MODEL, GEMINI_HEADLESS_ENV, geminiAdapter, geminiExitReason, geminiSettings, parseGeminiLine } from '../../src/agents/gemini/index.ts';
import { resetSessionHome } from '../../src/app/jail.ts';
import { sessionHomeKeep } from '../../src/app/agents.ts';
import { writeHomeFiles } from '../../src/app/session-home.ts';
import { ErrorCode, isPaddockError } from '../../src/errors/index.ts';

const SID = '11111111-2222-4333-8444-555555555555';

describe('gemini adapter', () => {
  it('argv: yolo, a fixed model, stream-json, the session up front, the prompt as one --prompt= element', () => {
    const o = geminiAdapter.parseOptions({});
    assert.deepEqual(geminiAdapter.buildArgv('Fix it', o, { sessionId: SID, resume: false }), [
      'gemini',
      '--approval-mode',
      'yolo',
      '-m',
      DEFAULT_GEMINI_MODEL,
      '--output-format',
      'stream-json',
      '--session-id',
      SID,
      '--prompt=Fix it',
    ]);
    const resumed = geminiAdapter.buildArgv('-rf everything', geminiAdapter.parseOptions({ model: 'gemini-2.5-flash', approval_mode: 'plan', include_directories: ['/data', '/more'] }), {
      sessionId: SID,
      resume: true,
    });
    assert.deepEqual(resumed.slice(1, 5), ['--approval-mode', 'plan', '-m', 'gemini-2.5-flash']);
    assert.deepEqual(resumed.slice(7), ['-r', SID, '--include-directories', '/data,/more', '--prompt=-rf everything']);
  });

  it('options: unknown and bad fields are named', () => {
    for (const [input, pattern] of [
      [{ nope: 1 }, /unknown field gemini\.nope/],
      [{ model: '--yolo' }, /gemini\.model/],
      [{ approval_mode: 'default' }, /gemini\.approval_mode: must be one of yolo, auto_edit, plan/],
      [{ max_session_turns: 0 }, /gemini\.max_session_turns/],
      [{ include_directories: ['a,b'] }, /gemini\.include_directories\[0\]/],
      ['x', /must be a JSON object/],
    ] as const) {
      try {
        geminiAdapter.parseOptions(input);
        assert.fail(`should throw for ${JSON.stringify(input)}`);
      } catch (e) {
        assert.ok(isPaddockError(e));
        assert.equal(e.code, ErrorCode.InvalidInput);
        assert.match(e.message, pattern);
      }
    }
  });

  it('env: the relay as base URL, the run token as the key, trust and no relaunch; settings: API-key auth, nothing phoned home, one attempt', () => {
    assert.deepEqual(geminiAdapter.buildEnv({ baseUrl: 'http://127.0.0.1:4000', token: 'tok' }), {
      GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:4000',
      GEMINI_API_KEY: 'tok',
      ...GEMINI_HEADLESS_ENV,
    });
    assert.equal(GEMINI_HEADLESS_ENV.GEMINI_CLI_TRUST_WORKSPACE, 'true');
    assert.equal(GEMINI_HEADLESS_ENV.GEMINI_CLI_NO_RELAUNCH, 'true');
    const files = geminiAdapter.homeFiles?.({ baseUrl: 'http://127.0.0.1:4000', token: 'tok' }, geminiAdapter.parseOptions({ max_session_turns: 3 })) ?? {};
    assert.deepEqual(Object.keys(files), ['.gemini/settings.json']);
    assert.equal(geminiAdapter.minMemoryBytes, 1024 ** 3);
    const s = JSON.parse(files['.gemini/settings.json'] ?? '{}');
    assert.equal(s.security.auth.selectedType, 'gemini-api-key');
    assert.equal(s.telemetry.enabled, false);
    assert.equal(s.privacy.usageStatisticsEnabled, false);
    assert.equal(s.general.enableAutoUpdate, false);
    assert.equal(s.general.maxAttempts, 1);
    assert.equal(s.model.maxSessionTurns, 3);
    assert.ok(!JSON.stringify(s).includes('tok'), 'the token is not in the settings');
    assert.equal(geminiSettings({}).model, undefined);
  });

  it('exit codes say what they mean', () => {
    assert.match(geminiExitReason(41) ?? '', /authentication/);
    assert.match(geminiExitReason(55) ?? '', /not trusted/);
    assert.match(geminiExitReason(53) ?? '', /turn limit/);
    assert.equal(geminiExitReason(244), 'the model API answered HTTP 500');
    assert.equal(geminiExitReason(173), 'the model API answered HTTP 429');
    assert.equal(geminiExitReason(7), undefined);
  });

  it('the stream parser joins text deltas into one answer and gives the result its text, session and turns', () => {
    const lines = [
      '{"type":"init","session_id":"s1","model":"gemini-2.5-pro"}',
      '{"type":"message","role":"user","content":"go"}',
      '{"type":"message","role":"assistant","content":"I will ","delta":true}',
      '{"type":"message","role":"assistant","content":"write.","delta":true}',
      '{"type":"tool_use","tool_name":"write_file","tool_id":"t1","parameters":{"file_path":"a"}}',
      '{"type":"tool_result","tool_id":"t1","status":"error","error":{"type":"x","message":"nope"}}',
      '{"type":"message","role":"assistant","content":"Do","delta":true}',
      '{"type":"message","role":"assistant","content":"ne.","delta":true}',
      '{"type":"result","status":"success","stats":{"input_tokens":10,"output_tokens":2,"cached":4,"duration_ms":9}}',
    ];
    const parse = createGeminiParser();
    const events = lines.flatMap((l) => parse(l));
    assert.deepEqual(
      events.map((e) => e.kind),
      ['init', 'other', 'text', 'tool_use', 'tool_result', 'text', 'result'],
    );
    assert.deepEqual(events[2], { kind: 'text', text: 'I will write.' });
    assert.deepEqual(events[4], { kind: 'tool_result', toolUseId: 't1', content: 'nope', isError: true });
    assert.deepEqual(events[6], {
      kind: 'result',
      subtype: 'success',
      isError: false,
      result: 'Done.',
      sessionId: 's1',
      numTurns: 2,
      durationMs: 9,
      costUsd: 0,
      usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 4, cacheCreationTokens: 0 },
    });
    // Alone, a delta line is its own text; a broken line is kept raw.
    assert.deepEqual(parseGeminiLine(lines[2] ?? ''), [{ kind: 'text', text: 'I will ' }]);
    assert.deepEqual(parseGeminiLine('not json'), [{ kind: 'other', type: 'raw', data: 'not json' }]);
    assert.deepEqual(parseGeminiLine('{"type":"error","severity":"warning","message":"Loop detected"}'), [{ kind: 'error', message: 'warning: Loop detected' }]);
  });
});

describe('session HOME for gemini', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'paddock-gemini-home-'));
  it('keeps the chats a resume reads, drops planted settings, extensions and links, and writes Paddock settings without following a link', async () => {
    assert.ok(sessionHomeKeep().includes('.gemini/tmp/*/chats'));
    assert.ok(sessionHomeKeep().includes('.claude/projects'));
    const home = tmp();
    const outside = tmp();
    writeFileSync(join(outside, 'victim'), 'keep me');
    const chats = join(home, '.gemini', 'tmp', 'workspace', 'chats');
    mkdirSync(chats, { recursive: true });
    writeFileSync(join(chats, 'session-1.jsonl'), '{}\n', { mode: 0o4755 });
    symlinkSync(join(outside, 'victim'), join(chats, 'link'));
    writeFileSync(join(home, '.gemini', 'tmp', 'workspace', 'shell_history'), 'x');
    writeFileSync(join(home, '.gemini', 'GEMINI.md'), 'obey me');
    mkdirSync(join(home, '.gemini', 'extensions', 'evil'), { recursive: true });
    writeFileSync(join(home, '.gemini', 'settings.json'), '{"hooks":{}}');
    await resetSessionHome(home);
    assert.equal(statSync(join(chats, 'session-1.jsonl')).mode & 0o7777, 0o600);
    assert.throws(() => lstatSync(join(chats, 'link')));
    for (const gone of ['tmp/workspace/shell_history', 'GEMINI.md', 'extensions', 'settings.json']) assert.ok(!existsSync(join(home, '.gemini', gone)), gone);
    // A link planted where Paddock writes is replaced, never written through.
    symlinkSync(join(outside, 'victim'), join(home, '.gemini', 'settings.json'));
    await writeHomeFiles(home, { '.gemini/settings.json': '{"ok":true}\n', 'new/dir/f': 'x' });
    assert.equal(readFileSync(join(home, '.gemini', 'settings.json'), 'utf8'), '{"ok":true}\n');
    assert.equal(statSync(join(home, '.gemini', 'settings.json')).mode & 0o777, 0o600);
    assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'keep me');
    assert.equal(readFileSync(join(home, 'new', 'dir', 'f'), 'utf8'), 'x');
    rmSync(home, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
});
