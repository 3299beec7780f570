/**
 * One task raced across the three real agent CLIs (Claude Code, Codex, Gemini) in real containers, each through
 * Paddock's gateway to its own scripted vendor server: three branches, three outcomes, a check on each, and the
 * comparison as text and JSON.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startScriptedGemini } from '../fixtures/scripted-gemini/server.ts';
import { startScriptedOpenAI } from '../fixtures/scripted-openai/server.ts';
import { git, makeRepo, paddockEnv } from '../e2e/harness.ts';

interface Comparison {
  ended: boolean;
  runs: {
    rank: number;
    label: string;
    cli: string;
    branch: string;
    state: string;
    filesChanged: number | null;
    inputTokens: number | null;
    costUsd: number | null;
    check: { passed: boolean } | null;
  }[];
}

describe('a group of claude + codex + gemini', () => {
  it('spawn --cli claude,codex,gemini --check: one run per CLI on <branch>-<cli>, each checked, compared', async (t) => {
    const openai = await startScriptedOpenAI({ apiKey: 'sk-openai-race' });
    const gemini = await startScriptedGemini({ apiKey: 'gemini-race' });
    t.after(() => Promise.all([openai.close(), gemini.close()]));
    const e = await paddockEnv(t, { PADDOCK_OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'sk-openai-race', PADDOCK_GEMINI_BASE_URL: gemini.url, GEMINI_API_KEY: 'gemini-race' });
    const repo = await makeRepo(t);
    e.model.script('race', ({ cwd }) => [{ tools: [{ name: 'Write', input: { file_path: `${cwd}/answer.txt`, content: 'claude\n' } }] }, { text: 'Claude wrote it.' }]);
    openai.script('race', [{ text: 'Writing.', calls: [{ name: 'exec_command', arguments: { cmd: "printf 'codex\\n' > answer.txt", yield_time_ms: 30000 } }] }, { text: 'Codex wrote it.' }]);
    gemini.script('race', [{ text: 'Writing.', calls: [{ name: 'run_shell_command', args: { command: "printf 'gemini\\n' > answer.txt", description: 'write' } }] }, { text: 'Gemini wrote it.' }]);

    const r = await e.cli(
      [
        'spawn',
        '--repo',
        repo,
        '--branch',
        'race',
        '--task',
        'Write the answer [[script:race]]',
        '--cli',
        'claude,codex,gemini',
        '--codex-option',
        'model=gpt-5.5',
        '--gemini-option',
        'model=gemini-2.5-flash',
        '--check',
        'test -s answer.txt && cat answer.txt',
      ],
      { timeoutMs: 400_000 },
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const gid = /group ([0-9a-f]{12})/.exec(r.stderr)?.[1];
    assert.ok(gid, r.stderr);
    for (const cli of ['claude', 'codex', 'gemini']) assert.match(r.stdout, new RegExp(`\\b${cli}\\b.*completed.*pass`), r.stdout);

    for (const cli of ['claude', 'codex', 'gemini']) assert.equal((await git(repo, 'show', `race-${cli}:answer.txt`)).trim(), cli);
    const c = JSON.parse((await e.cli(['compare', gid, '--json'])).stdout) as Comparison;
    assert.equal(c.ended, true);
    assert.deepEqual(c.runs.map((x) => x.cli).sort(), ['claude', 'codex', 'gemini']);
    for (const x of c.runs) {
      assert.equal(x.state, 'completed', x.label);
      assert.equal(x.branch, `race-${x.cli}`);
      assert.equal(x.filesChanged, 1, x.label);
      assert.equal(x.check?.passed, true, x.label);
      // Each vendor's usage, counted by the gateway.
      assert.ok((x.inputTokens ?? 0) > 0, `${x.label} has its tokens counted`);
      assert.ok(x.costUsd !== null, `${x.label} has a cost`);
    }
    assert.deepEqual(
      c.runs.map((x) => x.rank),
      [1, 2, 3],
    );
  });
});
