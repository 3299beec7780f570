/**
 * The MCP server's tools as a client sees them (the SDK's client over an in-memory pair, no engine): each has a
 * description and input and output schemas, and the tools docs/coordinator.md lists and the skill uses are the
 * server's own.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { loadConfig, openPaddock } from '../../src/app/index.ts';
import { createMcpServer, RESOURCE_TEMPLATES, TOOL_NAMES } from '../../src/mcp/index.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

async function listed(): Promise<{ tools: Awaited<ReturnType<Client['listTools']>>['tools']; templates: string[] }> {
  const home = mkdtempSync(join(tmpdir(), 'paddock-mcp-names-'));
  const p = openPaddock(loadConfig({ PADDOCK_HOME: home }));
  try {
    const [a, b] = InMemoryTransport.createLinkedPair();
    await createMcpServer(p).connect(a);
    const client = new Client({ name: 'names', version: '1' });
    await client.connect(b);
    const tools = (await client.listTools()).tools;
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
    await client.close();
    return { tools, templates };
  } finally {
    await p.close();
    rmSync(home, { recursive: true, force: true });
  }
}

it('every tool has a description, an input schema and an output schema; the resource templates are listed', async () => {
  const { tools, templates } = await listed();
  assert.deepEqual(
    tools.map((t) => t.name),
    [...TOOL_NAMES],
  );
  for (const t of tools) {
    assert.ok((t.description ?? '').length > 60, `${t.name} tells a model when to use it`);
    assert.equal(t.inputSchema.type, 'object', t.name);
    assert.equal(t.outputSchema?.type, 'object', `${t.name} has an output schema`);
  }
  assert.deepEqual(templates, [...RESOURCE_TEMPLATES]);
});

it("docs/coordinator.md's tool table is exactly the server's tools", () => {
  const doc = read('docs/coordinator.md');
  const start = doc.indexOf('| tool | what it does |');
  const rows = doc
    .slice(start, doc.indexOf('\n\n', start))
    .split('\n')
    .slice(2)
    .map((l) => /^\| `([a-z_]+)` \|/.exec(l)?.[1]);
  assert.deepEqual(rows, [...TOOL_NAMES]);
  for (const uri of RESOURCE_TEMPLATES) assert.ok(doc.includes(`\`${uri}\``), `${uri} is documented`);
});

it('the spawn-agent skill names only tools the server has, and the core loop', () => {
  const skill = read('skills/spawn-agent/SKILL.md');
  const front = /^---\n([\s\S]*?)\n---\n/.exec(skill)?.[1] ?? '';
  assert.match(front, /^name: spawn-agent$/m);
  assert.match(front, /^description: .{40,}$/m);
  const used = [...skill.matchAll(/mcp__paddock__([a-z_]+)/g)].map((m) => m[1] ?? '');
  for (const name of used) assert.ok(TOOL_NAMES.includes(name), `the skill names mcp__paddock__${name}, which the server does not have`);
  for (const name of ['spawn_run', 'get_events', 'wait_for_run', 'get_diff', 'merge_run']) assert.ok(used.includes(name), `the skill uses ${name}`);
  const allowed = /^allowed-tools: (.*)$/m.exec(front)?.[1]?.split(/,\s*/) ?? [];
  assert.deepEqual(
    allowed.filter((t) => !used.includes(t.replace('mcp__paddock__', ''))),
    [],
  );
});
