/**
 * Stack images and custom agent images, for real on Podman: `paddock image build python` (skipped when its recipe is
 * unchanged), a run in it that uses python3 through the real Claude Code CLI; `image create --from python --apt tree`,
 * a run that uses tree; `image ls|show|rm` (rm refused while a live run uses the image); hostile package names and a
 * name outside the image policy refused before any build; and Stromboli's /images routes checked against its swagger:
 * list, detail, 404, search and pull against a registry address of our own that refuses (a loopback port opened
 * and closed), so nothing public is ever contacted. One daemon, one stack build (cached by recipe) for the file.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { eventsJson, git, makeRepo, runIdOf, statusJson, until } from '../e2e/harness.ts';
import { startDaemon } from '../api/harness.ts';
import { assertMatches, responseDefinition } from '../api/stromboli-swagger.ts';

const PYTHON = 'localhost/paddock-python:latest';
const CUSTOM = 'localhost/paddock-stacks-test:1';

/** A loopback port that nothing listens on: opened, then closed. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('stack images and image create', () => {
  it('builds the python stack, runs the agent in it, makes a custom image from it, lists, shows and removes images', { timeout: 900_000 }, async (t) => {
    const d = await startDaemon(t);
    const { e } = d;
    const repo = await makeRepo(t);
    // The custom image is made here every time (a run that failed half-way may have left one), and never left behind.
    const dropCustom = () =>
      e.engine
        .getImage(CUSTOM)
        .remove({ force: true })
        .catch(() => {});
    await dropCustom();
    t.after(dropCustom);

    // The stack: built (or up to date), then certainly up to date.
    const b = await e.cli(['image', 'build', 'python', '--json'], { timeoutMs: 600_000 });
    assert.equal(b.code, 0, b.stderr);
    const built = JSON.parse(b.stdout) as { images: { tag: string; stack: string; built: boolean }[] };
    assert.deepEqual(
      built.images.map((i) => [i.stack, i.tag]),
      [
        ['base', 'localhost/paddock-agent:latest'],
        ['python', PYTHON],
      ],
    );
    const again = await e.cli(['image', 'build', 'python']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /localhost\/paddock-python:latest is up to date \(recipe [0-9a-f]{12}\)/);
    const bad = await e.cli(['image', 'build', 'cobol']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /stacks\.0|cobol/);

    // A run in the stack uses python3 through the real Claude Code CLI, and its work comes back on the branch.
    e.model.script('py', () => [
      { tools: [{ name: 'Bash', input: { command: 'python3 -c "print(6*7)" > answer.txt && python3 --version && pip3 --version', description: 'python' } }] },
      { text: 'done' },
    ]);
    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'py/1', '--image', PYTHON, '--task', 'Use python [[script:py]]']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = String((await eventsJson(e, runIdOf(r))).find((ev) => ev.kind === 'tool_result')?.data.content);
    assert.match(out, /^Python 3\.\d+\.\d+$/m);
    assert.equal(await git(repo, 'show', 'py/1:answer.txt'), '42');

    // Refused before any build: hostile package names, a name a run could not use, a stack's own name.
    for (const [args, re] of [
      [['--apt', 'tree; id'], /apt: "tree; id" is not an apt package name/],
      [['--npm', 'git+https://example.invalid/x'], /npm: .* is not a npm package name/],
      [['--pip', '--index-url=http://x'], /pip: .* is not a pip package name/],
    ] as const) {
      const c = await e.cli(['image', 'create', CUSTOM, '--from', 'python', ...args]);
      assert.equal(c.code, 2, c.stderr);
      assert.match(c.stderr, re);
    }
    const outside = await e.cli(['image', 'create', 'team/tools:1', '--apt', 'tree']);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /a run could not use team\/tools:1/);
    assert.match(outside.stderr, /PADDOCK_IMAGE_ALLOW/);
    const own = await e.cli(['image', 'create', PYTHON, '--apt', 'tree']);
    assert.equal(own.code, 2);
    assert.match(own.stderr, /one of Paddock's own images/);

    // image create: the python stack plus Debian's tree, usable at once.
    const c = await e.cli(['image', 'create', CUSTOM, '--from', 'python', '--apt', 'tree', '--json'], { timeoutMs: 600_000 });
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual({ ...JSON.parse(c.stdout), seconds: 0 }, { tag: CUSTOM, from: PYTHON, built: true, ms: JSON.parse(c.stdout).ms, seconds: 0 });
    assert.match(c.stderr, /RUN \["\/bin\/sh", ?"\/tmp\/paddock-build\/paddock-install", ?"apt", ?"tree"\]/, 'the exec-form install step, in the build progress');
    e.model.script('tree', () => [{ tools: [{ name: 'Bash', input: { command: 'tree --version && python3 -c "import sys; print(sys.version_info[0])"', description: 'tree' } }] }, { text: 'done' }]);
    const r2 = await e.cli(['spawn', '--repo', repo, '--image', CUSTOM, '--task', 'Use tree [[script:tree]]']);
    assert.equal(r2.code, 0, `${r2.stdout}\n${r2.stderr}`);
    const out2 = String((await eventsJson(e, runIdOf(r2))).find((ev) => ev.kind === 'tool_result')?.data.content);
    assert.match(out2, /^tree v\d/m);
    assert.match(out2, /^3$/m);

    // image ls: agent-ready first; the stack and the custom image with their stack and tools.
    const ls = await e.cli(['image', 'ls', '--json']);
    assert.equal(ls.code, 0, ls.stderr);
    const images = JSON.parse(ls.stdout) as { ref: string; agentReady: boolean; stack: string | null; tools: string[]; default: boolean; paddock: boolean; compatibilityRank: number }[];
    const firstOther = images.findIndex((i) => !i.agentReady);
    assert.ok(firstOther === -1 || images.slice(firstOther).every((i) => !i.agentReady), 'agent-ready images come first');
    const py = images.find((i) => i.ref === PYTHON);
    assert.deepEqual(py && { stack: py.stack, agentReady: py.agentReady, paddock: py.paddock, rank: py.compatibilityRank }, { stack: 'python', agentReady: true, paddock: true, rank: 1 });
    assert.ok(py?.tools.includes('python3'));
    const custom = images.find((i) => i.ref === CUSTOM);
    assert.equal(custom?.stack, 'python');
    assert.ok(custom?.tools.includes('tree') && custom.tools.includes('python3'), String(custom?.tools));
    assert.equal(images.find((i) => i.ref === 'localhost/paddock-agent:latest')?.default, true);
    const table = await e.cli(['image', 'ls']);
    assert.match(table.stdout, /localhost\/paddock-stacks-test:1\s+ready\s+python/);

    // image show: what image create installed.
    const show = await e.cli(['image', 'show', CUSTOM, '--json']);
    assert.equal(show.code, 0, show.stderr);
    assert.deepEqual(JSON.parse(show.stdout).packages, { apt: ['tree'], npm: [], pip: [] });

    // Stromboli's face, against its swagger: list, detail, 404.
    const list = await d.json('GET', '/images');
    assert.equal(list.status, 200);
    assertMatches(responseDefinition('/images', 'get', 200)!, list.body);
    const ranks = (list.body.images as { compatibility_rank: number }[]).map((i) => i.compatibility_rank);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
      'sorted by rank',
    );
    const one = (list.body.images as { repository: string; tag: string; has_claude_cli: boolean; created: string; tools?: string[] }[]).find((i) => `${i.repository}:${i.tag}` === CUSTOM);
    assert.equal(one?.has_claude_cli, true);
    assert.match(String(one?.created), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const detail = await d.json('GET', `/images/${encodeURIComponent(CUSTOM)}`);
    assert.equal(detail.status, 200);
    assertMatches(responseDefinition('/images/{name}', 'get', 200)!, detail.body);
    assert.equal(detail.body.rank_description, 'Paddock agent image (the agent CLI is in it)');
    assert.equal(detail.body.labels['dev.paddock.stack'], 'python');
    const missing = await d.json('GET', `/images/${encodeURIComponent('localhost/paddock-nothing-here:0')}`);
    assert.deepEqual([missing.status, missing.body], [404, { error: 'image not found' }]);
    assertMatches(responseDefinition('/images/{name}', 'get', 404)!, missing.body);

    // rm: refused while a live run uses the image, done once it ended; an unknown image is NOT_FOUND.
    const slow = (await e.cli(['spawn', '--repo', repo, '--detach', '--image', CUSTOM, '--task', 'Wait [[script:slow 120]]'])).stdout.trim();
    await until(async () => (await eventsJson(e, slow)).some((ev) => ev.kind === 'tool_use'), 'the slow run to start', 120_000, 300);
    const busy = await e.cli(['image', 'rm', CUSTOM]);
    assert.equal(busy.code, 4, busy.stderr);
    assert.match(busy.stderr, new RegExp(`in use by 1 live run: ${slow}`));
    const viaApi = await d.json('DELETE', `/api/v1/images/${encodeURIComponent(CUSTOM)}`);
    assert.equal(viaApi.status, 409);
    assert.equal(viaApi.body.error.code, 'CONFLICT');
    assert.equal((await e.cli(['stop', slow])).code, 0);
    await until(async () => ['cancelled', 'completed'].includes((await statusJson(e, slow)).state), 'the slow run to end', 60_000, 300);
    await e.cli(['gc']); // its container, which the engine would not let an image go from
    const rm = await e.cli(['image', 'rm', CUSTOM, '--json']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(JSON.parse(rm.stdout).removed, CUSTOM);
    assert.equal((await e.engine.listImages({ filters: { reference: [CUSTOM] } })).length, 0);
    const gone = await e.cli(['image', 'rm', CUSTOM]);
    assert.equal(gone.code, 3, gone.stderr);
    assert.match(gone.stderr, /no image localhost\/paddock-stacks-test:1 in the engine/);
    const dflt = await e.cli(['image', 'rm', 'localhost/paddock-agent:latest']);
    assert.equal(dflt.code, 4);
    assert.match(dflt.stderr, /default agent image \(PADDOCK_IMAGE\)/);
  });

  it('search and pull fail plainly when the registry cannot be reached (a loopback port of our own that refuses)', { timeout: 300_000 }, async (t) => {
    const d = await startDaemon(t);
    const port = await closedPort();
    const registry = `127.0.0.1:${port}`;

    // Stromboli's face: its errors, its shapes.
    assert.deepEqual(await d.json('GET', '/images/search').then((r) => [r.status, r.body]), [400, { error: "query parameter 'q' is required" }]);
    assert.deepEqual(await d.json('GET', '/images/search?q=python&limit=0').then((r) => [r.status, r.body]), [400, { error: 'invalid limit parameter' }]);
    const search = await d.json('GET', `/images/search?q=${encodeURIComponent(`${registry}/python`)}`);
    assert.deepEqual([search.status, search.body], [502, { error: 'registry search failed' }]);
    assertMatches(responseDefinition('/images/search', 'get', 502)!, search.body);
    const noImage = await d.json('POST', '/images/pull', {});
    assert.equal(noImage.status, 400);
    assert.match(noImage.body.error, /'Image' failed on the 'required' tag/);
    const pull = await d.json('POST', '/images/pull', { image: `${registry}/team/tool:1` });
    assert.equal(pull.status, 500);
    assertMatches(responseDefinition('/images/pull', 'post', 500)!, pull.body);
    assert.match(pull.body.error, new RegExp(`^failed to pull image: pull of ${registry}/team/tool:1 failed: .+ \\(the engine could not fetch it`));

    // The native face and the CLI say the same, with the hint.
    const native = await d.json('POST', '/api/v1/images/pull', { image: `${registry}/team/tool:1` });
    assert.equal(native.status, 503);
    assert.equal(native.body.error.code, 'ENGINE_UNAVAILABLE');
    assert.match(native.body.error.hint, /build the image locally instead/);
    const cli = await d.e.cli(['image', 'search', `${registry}/python`]);
    assert.equal(cli.code, 5, cli.stderr);
    assert.match(cli.stderr, /registry search for 127\.0\.0\.1:\d+\/python failed/);
    const bad = await d.json('POST', '/api/v1/images/pull', { image: 'Not An Image' });
    assert.equal(bad.status, 400);
  });
});
