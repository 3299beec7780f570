/** One way to declare a tool: zod input and output schemas, a description for the model, and a handler that only maps. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { type McpLog, toolError } from './errors.ts';
import { toolScope } from './scope.ts';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolDef<I extends z.ZodObject, O extends z.ZodObject> {
  title: string;
  description: string;
  input: I;
  output: O;
  annotations?: ToolAnnotations;
}

/** Registers a tool whose result is its output as structured content (and the same JSON as text, for older clients). */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  server: McpServer,
  log: McpLog | undefined,
  name: string,
  def: ToolDef<I, O>,
  run: (args: z.output<I>, extra: ToolExtra) => Promise<z.input<O>> | z.input<O>,
): void {
  const handler = async (args: z.output<I>, extra: ToolExtra): Promise<CallToolResult> => {
    try {
      // The connection's scope (a run's own connection: least privilege) decides first; the tool only maps.
      const scope = toolScope(server);
      const scoped = scope ? (scope(name, args as Record<string, unknown>) as z.output<I>) : args;
      const out = (await run(scoped, extra)) as Record<string, unknown>;
      return { structuredContent: out, content: [{ type: 'text', text: JSON.stringify(out) }] };
    } catch (e) {
      return toolError(e, log);
    }
  };
  server.registerTool(
    name,
    { title: def.title, description: def.description, inputSchema: def.input, outputSchema: def.output, ...(def.annotations ? { annotations: def.annotations } : {}) },
    handler as never, // the SDK's callback type is inferred from the schema; ours is the same, spelled by zod
  );
}

/** Sends a progress notification when the client asked for them (a progressToken in the request). */
export async function progress(extra: ToolExtra, value: number, total: number | undefined, message: string): Promise<void> {
  const token = extra._meta?.progressToken;
  if (token === undefined) return;
  await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: value, ...(total === undefined ? {} : { total }), message } }).catch(() => {}); // a client gone meanwhile: the tool still finishes
}
