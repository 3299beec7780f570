/** What the MCP tests share: a tool call that must succeed (its structured content), or fail (its error body). */
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { git } from '../e2e/harness.ts';

export async function ok(client: Client, name: string, args: Record<string, unknown> = {}, opts: { onprogress?: (p: Progress) => void } = {}): Promise<any> {
  const r = await client.callTool({ name, arguments: args }, undefined, { ...(opts.onprogress ? { onprogress: opts.onprogress } : {}), timeout: 300_000 });
  assert.ok(!r.isError, `${name} failed: ${JSON.stringify(r.content)}`);
  assert.ok(r.structuredContent, `${name} gave structured content`);
  return r.structuredContent;
}

/** A tool error's body: { error: { code, message, hint? } }, as the API answers. */
export async function refused(client: Client, name: string, args: Record<string, unknown>): Promise<{ code: string; message: string; hint?: string }> {
  const r = await client.callTool({ name, arguments: args });
  assert.equal(r.isError, true, `${name} should fail: ${JSON.stringify(r)}`);
  const text = (r.content as { type: string; text: string }[])[0]?.text ?? '';
  return (JSON.parse(text) as { error: { code: string; message: string; hint?: string } }).error;
}

/** spawn_run → get_events (paged) → wait_for_run (with progress) → get_diff → merge_run, with the scripted model. */
export async function runToMerge(client: Client, repo: string, tag: string): Promise<string> {
  const { run } = await ok(client, 'spawn_run', { repo, task: `Write it [[script:write-file from ${tag}]]`, branch: `mcp/${tag}` });
  assert.match(run.state, /^(queued|pending|starting|running)$/);
  assert.equal(run.modelToken, undefined, 'no token in the view');

  const progress: string[] = [];
  const values: number[] = [];
  const waited = await ok(
    client,
    'wait_for_run',
    { runId: run.id, timeoutSeconds: 240 },
    {
      onprogress: (p) => {
        progress.push(p.message ?? '');
        values.push(p.progress);
      },
    },
  );
  assert.ok(
    values.every((v, i) => i === 0 || v > (values[i - 1] ?? 0)),
    `progress grows with each notification: ${values.join(', ')}`,
  );
  assert.equal(waited.ended, true);
  assert.equal(waited.timedOut, false);
  assert.equal(waited.run.state, 'completed', JSON.stringify(waited.run));
  assert.ok(progress.length >= 1, 'progress notifications while waiting');
  assert.match(progress[0] ?? '', /events/);

  // Paged by event id: two pages of 3, then the rest; each event once, in order.
  const first = await ok(client, 'get_events', { runId: run.id, limit: 3 });
  assert.deepEqual(
    first.events.map((e: { seq: number }) => e.seq),
    [1, 2, 3],
  );
  assert.equal(first.next, 3);
  assert.equal(first.more, true);
  const rest = await ok(client, 'get_events', { runId: run.id, after: first.next, limit: 1000 });
  const seqs = [...first.events, ...rest.events].map((e: { seq: number }) => e.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_: number, i: number) => i + 1),
  );
  assert.equal(rest.ended, true);
  assert.equal(rest.more, false);
  assert.ok(
    rest.events.some((e: { kind: string }) => e.kind === 'result'),
    'the result is among the events',
  );
  const none = await ok(client, 'get_events', { runId: run.id, after: rest.next });
  assert.deepEqual(none.events, [], 'nothing new after the last page');

  const diff = await ok(client, 'get_diff', { runId: run.id });
  assert.deepEqual(
    diff.files.map((f: { path: string }) => f.path),
    ['hello.txt'],
  );
  assert.match(diff.patch, /\+from /);
  assert.equal(diff.truncated, false);
  const cut = await ok(client, 'get_diff', { runId: run.id, maxPatchChars: 40 });
  assert.equal(cut.truncated, true);
  assert.ok(cut.patch.length <= 40);
  assert.match(cut.note, /cut after/);

  const merged = await ok(client, 'merge_run', { runId: run.id });
  assert.equal(merged.merged, true, JSON.stringify(merged));
  assert.equal(await git(repo, 'show', 'main:hello.txt'), `from ${tag}`);
  const again = await ok(client, 'merge_run', { runId: run.id });
  assert.equal(again.merged, false);
  assert.match(again.nothingBecause, /already merged/);
  return run.id as string;
}
