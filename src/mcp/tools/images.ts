/** create_image: a new agent image from a stack plus packages (list_images and create_agent_image are in catalog.ts). */
import { z } from 'zod';
import { createAgentImage, STACKS } from '../../app/index.ts';
import type { McpContext } from '../context.ts';
import { defineTool, progress } from '../tool.ts';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export const IMAGE_TOOLS = ['create_image'] as const;

const packages = (kind: string, example: string) => z.array(z.string().max(256)).max(64).default([]).describe(`${kind} packages: plain names with an optional version, e.g. ${example}`);

export function registerImageTools(server: McpServer, ctx: McpContext): void {
  const { p, log } = ctx;
  defineTool(
    server,
    log,
    'create_image',
    {
      title: 'Create an agent image with packages',
      description:
        "A new agent image: a stack (node, python, go, rust, browser) or the agent image (base) plus Debian (apt), npm and pip packages, usable at once as spawn_run's image. " +
        'The name must pass the image policy (default: localhost/paddock-*). Skipped when up to date (force rebuilds). Build output comes as progress notifications. Slow (minutes).',
      input: z.object({
        name: z.string().min(1).max(255).describe('The new image, e.g. localhost/paddock-team:1'),
        from: z
          .enum(['base', ...STACKS])
          .default('base')
          .describe('What it is built FROM'),
        apt: packages("Debian's", 'jq'),
        npm: packages('npm', 'prettier@3'),
        pip: packages('PyPI (needs a reachable PyPI)', 'requests'),
        force: z.boolean().default(false),
      }),
      output: z.object({ tag: z.string(), from: z.string(), built: z.boolean().describe('false: it was already up to date'), ms: z.number() }),
    },
    async (a, extra) => {
      let lines = 0;
      return createAgentImage(p, a, (line) => void progress(extra, ++lines, undefined, line.slice(0, 500)));
    },
  );
}
