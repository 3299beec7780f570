/** The MCP surface's public face: the server (for any transport), and the daemon's streamable HTTP endpoint. */
export { createMcpServer, TOOL_NAMES } from './server.ts';
export type { McpServerOptions } from './server.ts';
export { mcpHttpHandler, mcpRunHandler, PARENT_HEADER } from './http.ts';
export type { McpHttpOptions } from './http.ts';
export { RESOURCE_TEMPLATES } from './resources.ts';
