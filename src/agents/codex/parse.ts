/**
 * `codex exec --json` output → AgentEvent. One JSON object per line (checked with 0.169.0, test/fixtures/golden/codex/):
 *   thread.started {thread_id}                        → init (the thread id is the session id resume takes)
 *   turn.started                                      → nothing (a turn is the model loop of one prompt)
 *   item.started / item.updated / item.completed {item} by item.type:
 *     agent_message {text}                            → text (completed)
 *     reasoning {text}                                → thinking (completed)
 *     command_execution {command, aggregated_output, exit_code, status}
 *                                                     → tool_use `shell` (started), tool_result (completed)
 *     file_change {changes: [{path, kind}], status}   → tool_use `apply_patch` (started), tool_result (completed)
 *     mcp_tool_call {server, tool, arguments, result, error, status}
 *                                                     → tool_use `mcp__<server>__<tool>` (started), tool_result (completed)
 *     error {message}                                 → error (a warning Codex goes on after, e.g. unknown model metadata)
 *     anything else (todo_list, web_search, …)        → other
 *   turn.completed {usage}                            → result success (usage: the thread's running totals)
 *   turn.failed {error: {message}}                    → result error_during_execution, isError
 *   error {message}                                   → error (e.g. "Reconnecting... 1/1 (…)")
 * The result's text is the turn's last agent message, and its session id the thread's: the parser of one run keeps
 * both (codexLineParser); parseCodexLine alone knows only the line.
 */
import type { AgentEvent, Usage } from '../types.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** The name a command execution is shown with (Codex's tool for it is exec_command). */
export const CODEX_SHELL_TOOL = 'shell';
export const CODEX_PATCH_TOOL = 'apply_patch';

/** Codex's usage: input includes the cached tokens, which are counted as cache reads here (as the gateway does). */
export function codexUsage(u: unknown): Usage {
  if (!isObject(u)) return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
  const cached = num(u.cached_input_tokens);
  return { inputTokens: Math.max(0, num(u.input_tokens) - cached), outputTokens: num(u.output_tokens), cacheReadTokens: cached, cacheCreationTokens: num(u.cache_write_input_tokens) };
}

interface ParseState {
  threadId: string;
  lastText: string;
  turns: number;
}

function parseWith(line: string, st: ParseState | undefined): AgentEvent[] {
  const trimmed = line.trim();
  if (trimmed === '') return [];
  let o: unknown;
  try {
    o = JSON.parse(trimmed);
  } catch {
    return [{ kind: 'other', type: 'raw', data: line }];
  }
  if (!isObject(o) || typeof o.type !== 'string') return [{ kind: 'other', type: 'unknown', data: o }];
  switch (o.type) {
    case 'thread.started': {
      const id = str(o.thread_id);
      if (st) st.threadId = id;
      return [{ kind: 'init', sessionId: id, model: '', cwd: '', tools: [CODEX_SHELL_TOOL, CODEX_PATCH_TOOL] }];
    }
    case 'turn.started':
      if (st) st.lastText = '';
      return [];
    case 'turn.completed':
    case 'turn.failed': {
      const failed = o.type === 'turn.failed';
      const message = isObject(o.error) ? str(o.error.message) : '';
      if (st) st.turns++;
      return [
        {
          kind: 'result',
          subtype: failed ? 'error_during_execution' : 'success',
          isError: failed,
          result: failed ? message : (st?.lastText ?? ''),
          sessionId: st?.threadId ?? '',
          numTurns: st?.turns ?? 1,
          durationMs: 0,
          costUsd: 0,
          usage: codexUsage(o.usage),
        },
      ];
    }
    case 'error':
      return [{ kind: 'error', message: str(o.message) }];
    case 'item.started':
    case 'item.updated':
    case 'item.completed':
      return isObject(o.item) ? item(o.type, o.item, st) : [{ kind: 'other', type: o.type, data: o }];
    default:
      return [{ kind: 'other', type: o.type, data: o }];
  }
}

function item(phase: string, it: Json, st: ParseState | undefined): AgentEvent[] {
  const id = str(it.id);
  const done = phase === 'item.completed';
  const started = phase === 'item.started';
  switch (it.type) {
    case 'agent_message':
      if (!done) return [];
      if (st) st.lastText = str(it.text);
      return [{ kind: 'text', text: str(it.text) }];
    case 'reasoning':
      return done ? [{ kind: 'thinking', text: str(it.text) }] : [];
    case 'command_execution':
      if (started) return [{ kind: 'tool_use', id, name: CODEX_SHELL_TOOL, input: { command: str(it.command) } }];
      if (!done) return [];
      return [
        {
          kind: 'tool_result',
          toolUseId: id,
          content: str(it.aggregated_output),
          isError: it.status === 'failed' || it.status === 'declined' || (typeof it.exit_code === 'number' && it.exit_code !== 0),
        },
      ];
    case 'file_change': {
      const changes = Array.isArray(it.changes) ? it.changes.filter(isObject).map((c) => ({ path: str(c.path), kind: str(c.kind) })) : [];
      if (started) return [{ kind: 'tool_use', id, name: CODEX_PATCH_TOOL, input: { changes } }];
      if (!done) return [];
      return [{ kind: 'tool_result', toolUseId: id, content: changes.map((c) => `${c.kind} ${c.path}`).join('\n'), isError: it.status === 'failed' }];
    }
    case 'mcp_tool_call': {
      if (started) return [{ kind: 'tool_use', id, name: `mcp__${str(it.server)}__${str(it.tool)}`, input: it.arguments ?? {} }];
      if (!done) return [];
      const err = isObject(it.error) ? str(it.error.message) : '';
      return [{ kind: 'tool_result', toolUseId: id, content: err || JSON.stringify(it.result ?? null), isError: err !== '' || it.status === 'failed' }];
    }
    case 'error':
      return done ? [{ kind: 'error', message: str(it.message) }] : [];
    default:
      return [{ kind: 'other', type: `${phase}:${str(it.type) || 'unknown'}`, data: it }];
  }
}

/** One line alone (no memory of earlier lines: the result carries no text or session id). */
export function parseCodexLine(line: string): AgentEvent[] {
  return parseWith(line, undefined);
}

/** A parser for one run's output, read from its first line: results carry the last message and the thread id. */
export function codexLineParser(): (line: string) => AgentEvent[] {
  const st: ParseState = { threadId: '', lastText: '', turns: 0 };
  return (line) => parseWith(line, st);
}
