/**
 * A connection's scope: the check every tool call of a server passes before its tool runs. A run's own connection
 * (a coordinator inside Paddock, on its mcp.sock) is held to least privilege by app/'s coordinatorToolArgs; other
 * connections (the person's: stdio, the daemon's /mcp) have no scope.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** Returns the arguments the tool runs with, or throws (a PaddockError becomes the tool's error). */
export type ToolScope = (tool: string, args: Record<string, unknown>) => Record<string, unknown>;

const scopes = new WeakMap<McpServer, ToolScope>();

export function setToolScope(server: McpServer, scope: ToolScope): void {
  scopes.set(server, scope);
}

export function toolScope(server: McpServer): ToolScope | undefined {
  return scopes.get(server);
}
