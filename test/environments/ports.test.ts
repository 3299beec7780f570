/**
 * Port previews: a dev server listening inside a live run (started here by a post_start hook, as an agent's would
 * be) is listed by `paddock ports` with a loopback URL that reaches it, while the run has no network of its own; two
 * runs with a server on the same port get different URLs and each sees its own; the URL stops answering once the run
 * has ended.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRepo, paddockEnv, runIdOf, until } from '../e2e/harness.ts';

interface Ports {
  runId: string;
  ports: { port: number; address: string; url: string }[];
}

// socat strips quotes from its address, so the answer is a file the server cats (printf's quoting would not survive).
const server = (text: string) =>
  `printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n${text}' > /tmp/answer; socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'cat /tmp/answer' >/dev/null 2>&1 &`;

describe('paddock ports', () => {
  it('lists a live run’s listening port with a preview URL that reaches it; two runs on one port never collide; an ended run’s URL is gone', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const ids: string[] = [];
    for (const name of ['alpha', 'beta']) {
      const r = await e.cli(['spawn', '--repo', repo, '--branch', `ports-${name}`, '--keep-alive', '--post-start', server(`hello from ${name}`), '--task', `Serve [[script:hello ${name} ready]]`]);
      assert.equal(r.code, 0, r.stderr);
      ids.push(runIdOf(r));
    }
    const listed: Ports[] = [];
    for (const id of ids) {
      const p = await until(
        async () => {
          const r = await e.cli(['ports', id, '--json']);
          assert.equal(r.code, 0, r.stderr);
          const j = JSON.parse(r.stdout) as Ports;
          return j.ports.some((x) => x.port === 8080) ? j : undefined;
        },
        `port 8080 listed in run ${id}`,
        30_000,
        500,
      );
      // Paddock's own bridges (model relay 4000, egress 3128, MCP 4100) are not the run's to preview.
      assert.deepEqual(
        p.ports.map((x) => x.port),
        [8080],
      );
      assert.match(p.ports[0]!.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      listed.push(p);
    }
    assert.notEqual(listed[0]!.ports[0]!.url, listed[1]!.ports[0]!.url, 'each run gets its own host port');
    for (const [i, name] of ['alpha', 'beta'].entries()) {
      const body = await (await fetch(listed[i]!.ports[0]!.url)).text();
      assert.equal(body, `hello from ${name}`);
    }
    // Listing again keeps the same URL; the text table shows it.
    const text = await e.cli(['ports', ids[0]!]);
    assert.match(text.stdout, new RegExp(`8080\\s+0\\.0\\.0\\.0\\s+${listed[0]!.ports[0]!.url.replace(/[/.]/g, '\\$&')}`));

    assert.equal((await e.cli(['stop', ids[0]!])).code, 0);
    await until(
      async () => {
        try {
          await fetch(listed[0]!.ports[0]!.url, { signal: AbortSignal.timeout(2000) });
          return false;
        } catch {
          return true;
        }
      },
      'the ended run’s preview URL to stop answering',
      20_000,
      500,
    );
    const ended = await e.cli(['ports', ids[0]!]);
    assert.equal(ended.code, 4, ended.stderr);
    assert.match(ended.stderr, /no live container/);
    // The other run's preview still answers.
    assert.equal(await (await fetch(listed[1]!.ports[0]!.url)).text(), 'hello from beta');
    await e.cli(['stop', ids[1]!]);
  });
});
