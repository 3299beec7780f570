import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT_CODES, EXIT_DETACHED, EXIT_FOR_ERROR, EXIT_INTERNAL, exitForState } from '../../src/cli/exit-codes.ts';
import { renderEvent, safe, shorten, shortenMiddle } from '../../src/cli/format.ts';
import type { StoredEvent } from '../../src/events/index.ts';
import { RUN_STATES } from '../../src/jobs/index.ts';

const ESC = '\x1b';
/** Nothing a terminal acts on is left: no ESC, no C0 control but \n and \t, no C1 control, no direction override. */
const inert = (s: string) => !/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(s);

describe('safe(): agent text made harmless to the terminal', () => {
  const cases: [string, string, string][] = [
    ['colour (CSI SGR)', `${ESC}[31mred${ESC}[0m`, 'red'],
    ['cursor moves and clear screen', `a${ESC}[2J${ESC}[H${ESC}[10;20Hb${ESC}[?25l`, 'ab'],
    ['window title (OSC 0, BEL)', `x${ESC}]0;pwned${'\x07'}y`, 'xy'],
    ['window title (OSC 2, ST)', `x${ESC}]2;pwned${ESC}\\y`, 'xy'],
    ['hyperlink (OSC 8)', `${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`, 'click'],
    ['clipboard write (OSC 52)', `${ESC}]52;c;cm0gLXJmIH4=${'\x07'}ok`, 'ok'],
    ['DCS string', `${ESC}Pq#0;2;0;0;0${ESC}\\after`, 'after'],
    ['C1 CSI (0x9b)', `\u009b31mred`, 'red'],
    ['terminal reset (ESC c)', `${ESC}cafter`, 'after'],
    ['charset switch (ESC ( 0)', `${ESC}(0after`, 'after'],
  ];
  for (const [what, input, expected] of cases) {
    it(`removes ${what}`, () => {
      assert.equal(safe(input), expected);
    });
  }

  it('escapes other control characters visibly, keeps newlines and tabs', () => {
    assert.equal(safe('bell\x07 back\x08space nul\x00 del\x7f'), 'bell\\x07 back\\x08space nul\\x00 del\\x7f');
    assert.equal(safe('a\tb\nc'), 'a\tb\nc');
    assert.equal(safe('line\r\nnext'), 'line\nnext', 'CRLF is a newline');
    assert.equal(safe('safe text\roverwritten'), 'safe text\\x0doverwritten', 'a lone CR cannot overwrite what was printed');
  });

  it('escapes Unicode direction overrides (text that reads differently than it is)', () => {
    assert.equal(safe('abc\u202edcb'), 'abc\\u202edcb');
    assert.equal(safe('\u2066x\u2069'), '\\u2066x\\u2069');
  });

  it('an unterminated string loses its introducer and the rest stays visible', () => {
    const out = safe(`${ESC}]0;no terminator here`);
    assert.ok(inert(out));
    assert.match(out, /no terminator here/);
  });

  it('leaves ordinary text (and non-ASCII) alone', () => {
    const text = 'Implemented OAuth2 — 3 files, naïve ✓ 日本語 [brackets] $HOME `code`';
    assert.equal(safe(text), text);
  });

  it('is inert on random bytes', () => {
    for (let n = 0; n < 200; n++) {
      const s = Array.from({ length: 64 }, () => String.fromCharCode(Math.floor(Math.random() * 0xa0))).join('') + '\u202e';
      assert.ok(inert(safe(s).replace(/\n|\t/g, '')), JSON.stringify(s));
    }
  });
});

describe('renderEvent: every agent field is made safe', () => {
  const ev = (kind: string, data: Record<string, unknown>): StoredEvent => ({ runId: 'r', seq: 1, ts: Date.UTC(2025, 0, 2, 3, 4, 5), source: 'agent', kind, data });
  const hostile = `${ESC}]0;pwned\x07${ESC}[2Jhi`;
  for (const [kind, data] of [
    ['text', { text: hostile }],
    ['thinking', { text: hostile }],
    ['tool_use', { name: hostile, input: { command: hostile } }],
    ['tool_use', { name: 'X', input: { other: hostile } }],
    ['tool_result', { content: hostile, isError: false }],
    ['tool_result', { content: [{ type: 'text', text: hostile }], isError: true }],
    ['result', { numTurns: 1, costUsd: 0, usage: {}, result: hostile }],
    ['error', { message: hostile }],
    ['stderr', { text: hostile }],
    ['init', { sessionId: hostile, model: hostile, cwd: hostile }],
    ['note', { message: hostile }],
    ['state', { from: 'running', to: 'failed', reason: hostile }],
  ] as const) {
    it(`${kind} ${JSON.stringify(Object.keys(data))}`, () => {
      const line = renderEvent(ev(kind, data as Record<string, unknown>))!;
      assert.ok(inert(line.replace(/[\n\t]/g, '')), JSON.stringify(line));
      assert.match(line, /hi/);
    });
  }

  it('timestamps: the first line starts with the local time, later lines are indented to match', () => {
    const e = ev('tool_result', { content: 'one\ntwo', isError: false });
    const line = renderEvent(e, { timestamps: true })!;
    assert.match(line, /^\d\d:\d\d:\d\d {3}⎿ one\n {9} {4}two$/);
    assert.doesNotMatch(renderEvent(e)!, /^\d\d:\d\d/);
  });
});

describe('shortening', () => {
  it('shorten: first line, cut with an ellipsis, never longer than asked', () => {
    assert.equal(shorten('short', 10), 'short');
    assert.equal(shorten('a much longer task than fits', 10), 'a much lo…');
    assert.equal(shorten('first line\nsecond', 40), 'first line…');
    assert.ok(shorten('x'.repeat(500), 25).length <= 25);
  });
  it('shortenMiddle keeps both ends', () => {
    assert.equal(shortenMiddle('paddock/implement-oauth2-login-3f2a9c81', 20), 'paddock/im…-3f2a9c81');
    assert.equal(shortenMiddle('short', 20), 'short');
  });
});

describe('exit codes', () => {
  it('one list, each code once, covering every error code and every final state', () => {
    const codes = EXIT_CODES.map((c) => c.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of Object.values(EXIT_FOR_ERROR)) assert.ok(codes.includes(code), `error exit ${code} is documented`);
    for (const s of RUN_STATES) assert.ok(codes.includes(exitForState(s)), `state ${s} exit is documented`);
    assert.ok(codes.includes(EXIT_INTERNAL) && codes.includes(EXIT_DETACHED));
  });
  it('detaching is neither success, cancellation nor a run outcome', () => {
    assert.notEqual(EXIT_DETACHED, 0);
    assert.notEqual(EXIT_DETACHED, 130);
    for (const s of RUN_STATES) assert.notEqual(EXIT_DETACHED, exitForState(s));
  });
});
