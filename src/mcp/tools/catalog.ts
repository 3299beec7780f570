/** What runs can be started with (agents, images), building the agent image, and a run's network log. */
import { z } from 'zod';
import { buildImage, listAgents, listImages, NETWORK_MODES, runNetwork } from '../../app/index.ts';
import type { McpContext } from '../context.ts';
import { runId } from '../schemas.ts';
import { defineTool, progress } from '../tool.ts';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export const CATALOG_TOOLS = ['list_agents', 'list_images', 'create_agent_image', 'get_network_log'] as const;

/** An image name with an optional tag, as engines accept it (no digest: Paddock builds it). */
const imageRef = z
  .string()
  .trim()
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/, 'expected an image name such as paddock-agent:team, lower case, with an optional :tag')
  .max(255);

export function registerCatalogTools(server: McpServer, ctx: McpContext): void {
  const { p, log } = ctx;

  defineTool(
    server,
    log,
    'list_agents',
    {
      title: 'List agents',
      description: "The agent CLIs a run can use (spawn_run's agent), and which one a run gets by default.",
      input: z.object({}),
      output: z.object({ agents: z.array(z.object({ name: z.string(), default: z.boolean() })) }),
      annotations: { readOnlyHint: true },
    },
    () => ({ agents: listAgents() }),
  );

  defineTool(
    server,
    log,
    'list_images',
    {
      title: 'List agent images',
      description:
        "The agent images Paddock knows: the default (PADDOCK_IMAGE) and every image a run used, with whether the engine has it now. Use it before passing spawn_run's image; " +
        'an image that is not present is refused at spawn (IMAGE_NOT_FOUND).',
      input: z.object({}),
      output: z.object({
        images: z.array(
          z.object({
            ref: z.string(),
            default: z.boolean().describe('What a run gets when it names no image'),
            present: z.boolean().describe('The engine has it'),
            id: z.string().nullable(),
            paddockBuilt: z.boolean().describe("Built by Paddock's agent-image recipe"),
            runs: z.number().describe('Recorded runs that used it'),
          }),
        ),
      }),
      annotations: { readOnlyHint: true },
    },
    async () => ({ images: await listImages(p) }),
  );

  defineTool(
    server,
    log,
    'create_agent_image',
    {
      title: 'Build an agent image',
      description:
        "Build Paddock's agent image (the pinned agent CLI on the base image) under a name, or rebuild the default one; it is skipped when the image is already up to date " +
        '(force rebuilds). Build output comes as progress notifications when the request carries a progressToken. Slow (minutes) when it really builds.',
      input: z.object({
        tag: imageRef.optional().describe('Image name to build (default PADDOCK_IMAGE)'),
        force: z.boolean().default(false).describe('Rebuild even when it is up to date'),
      }),
      output: z.object({ tag: z.string(), built: z.boolean().describe('false: it was already up to date') }),
    },
    async (a, extra) => {
      let lines = 0;
      return buildImage(p, (line) => void progress(extra, ++lines, undefined, line.slice(0, 500)), { ...(a.tag ? { tag: a.tag } : {}), force: a.force });
    },
  );

  defineTool(
    server,
    log,
    'get_network_log',
    {
      title: "Read a run's network log",
      description:
        "A run's network: its mode (none, proxy, open), the allow rules in force, counters, and every connection attempt its egress proxy saw (allowed or denied, with bytes). " +
        'Use it to find out why a run could not reach a host, or what it reached.',
      input: z.object({
        runId,
        after: z.number().int().min(0).default(0).describe('Only attempts with a greater seq'),
        limit: z.number().int().min(0).max(10_000).default(200).describe('At most this many attempts (0: the summary only)'),
      }),
      output: z.object({
        runId: z.string(),
        mode: z.enum(NETWORK_MODES),
        allow: z.array(z.string()),
        summary: z.object({ attempts: z.number(), allowed: z.number(), denied: z.number(), bytesUp: z.number(), bytesDown: z.number(), dropped: z.number() }),
        attempts: z.array(
          z.object({
            seq: z.number(),
            ts: z.number(),
            host: z.string(),
            port: z.number(),
            method: z.string(),
            address: z.string().nullable(),
            allowed: z.boolean(),
            rule: z.string().nullable(),
            reason: z.string().nullable(),
            bytesUp: z.number(),
            bytesDown: z.number(),
            durationMs: z.number(),
          }),
        ),
      }),
      annotations: { readOnlyHint: true },
    },
    (a) => runNetwork(p, a.runId, { after: a.after, limit: a.limit }),
  );
}
