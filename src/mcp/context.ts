/** What every tool module gets: Paddock, and who this MCP connection is. */
import type { Paddock } from '../app/index.ts';
import type { McpLog } from './errors.ts';

export interface McpContext {
  p: Paddock;
  /** The run this connection speaks for (a coordinator inside Paddock): runs it spawns record it as their parent. */
  parentRunId: string | undefined;
  /** Ends when the connection or the daemon goes: long tools (wait_for_run) stop waiting. */
  signal: AbortSignal | undefined;
  log: McpLog | undefined;
}
