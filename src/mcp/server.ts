/**
 * The MCP server: Paddock's use cases as tools and resources, built from app/ functions like every other surface.
 * One server per connection (stdio via the daemon, or one streamable HTTP request): a connection that speaks for a
 * run (a coordinator inside Paddock) passes parentRunId, and runs it spawns record that parent.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { coordinatorToolArgs, findRun, type Paddock, VERSION } from '../app/index.ts';
import { setToolScope } from './scope.ts';
import type { McpLog } from './errors.ts';
import { registerRunResources } from './resources.ts';
import { CATALOG_TOOLS, registerCatalogTools } from './tools/catalog.ts';
import { GIT_TOOLS, registerGitTools } from './tools/git.ts';
import { IMAGE_TOOLS, registerImageTools } from './tools/images.ts';
import { RUN_TOOLS, registerRunTools } from './tools/runs.ts';
import { GROUP_TOOLS, registerGroupTools } from './tools/groups.ts';
import { registerWatchTools, WATCH_TOOLS } from './tools/watch.ts';
import { PROFILE_TOOLS, registerProfileTools } from './tools/profiles.ts';

/** Every tool the server offers, in the order it lists them (docs/coordinator.md and the skill name these). */
export const TOOL_NAMES: readonly string[] = [...RUN_TOOLS, ...GROUP_TOOLS, ...WATCH_TOOLS, ...GIT_TOOLS, ...CATALOG_TOOLS, ...IMAGE_TOOLS, ...PROFILE_TOOLS];

export interface McpServerOptions {
  /** The run this connection speaks for; its spawns record it as their parent. It must exist. */
  parentRunId?: string | undefined;
  /**
   * The connection is the parent run's own (its mcp.sock, a coordinator inside Paddock): every tool call is held to
   * what a run may do (app/coordinator.ts), and runs are not offered as resources (its tools see its own runs only).
   */
  asRun?: boolean;
  /** Ends with the connection (or the daemon): waiting tools stop. */
  signal?: AbortSignal | undefined;
  log?: McpLog | undefined;
}

const INSTRUCTIONS =
  'Paddock runs coding agents in sealed containers, each on its own clone and branch of a repository. ' +
  'To delegate work: spawn_run (repo, task, type feature|test|mutation|explore, branch), then watch with get_events (pass next as after) ' +
  'or wait_for_run, review with get_diff, and merge_run when the work is good. Errors come back as {"error":{"code","message","hint"}}.';

export function createMcpServer(p: Paddock, opts: McpServerOptions = {}): McpServer {
  const parentRunId = opts.parentRunId === undefined ? undefined : findRun(p, opts.parentRunId).id;
  const server = new McpServer({ name: 'paddock', version: VERSION }, { instructions: INSTRUCTIONS });
  const ctx = { p, parentRunId, signal: opts.signal, log: opts.log };
  registerRunTools(server, ctx);
  registerGroupTools(server, ctx);
  registerWatchTools(server, ctx);
  registerGitTools(server, ctx);
  registerCatalogTools(server, ctx);
  registerImageTools(server, ctx);
  registerProfileTools(server, ctx);
  if (opts.asRun) {
    if (parentRunId === undefined) throw new Error('a run connection needs the run');
    setToolScope(server, (tool, args) => coordinatorToolArgs(p, parentRunId, tool, args));
  } else registerRunResources(server, ctx);
  return server;
}
