/**
 * One line of Claude Code's `--output-format stream-json --verbose` output → AgentEvent[]. Never throws.
 *
 * Line types seen from 2.1.332 (see test/fixtures/golden/claude/):
 * - system/init                      → init
 * - system/<other> (api_retry, status, thinking_tokens, …) → other, type "system.<subtype>"
 * - assistant: one content block per line (text, thinking, tool_use) → text | thinking | tool_use;
 *   an API failure the CLI gave up on comes as an assistant line with `error` / `is_api_error_message` → error
 * - user: tool_result blocks (content a string or an array of blocks) → tool_result; anything else in a user
 *   line (a synthetic user text) → other, type "user"
 * - result → error for each entry of `errors` (error_max_turns, error_max_budget_usd, …), then result
 * - stream_event (with --include-partial-messages) and anything unknown → other, kept whole
 * - a line that is not JSON → other, type "raw", data the line
 */
import type { AgentEvent, Usage } from '../types.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown, dflt = ''): string => (typeof v === 'string' ? v : dflt);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function parseClaudeLine(line: string): AgentEvent[] {
  const text = line.trim();
  if (text === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [{ kind: 'other', type: 'raw', data: line }];
  }
  try {
    return parseObject(data);
  } catch {
    // A shape we did not foresee: keep it whole rather than lose it.
    return [{ kind: 'other', type: isObject(data) ? str(data.type, 'unknown') : 'unknown', data }];
  }
}

function parseObject(data: unknown): AgentEvent[] {
  if (!isObject(data)) return [{ kind: 'other', type: 'unknown', data }];
  const type = str(data.type, 'unknown');
  switch (type) {
    case 'system':
      return parseSystem(data);
    case 'assistant':
      return parseAssistant(data);
    case 'user':
      return parseUser(data);
    case 'result':
      return parseResult(data);
    default:
      return [{ kind: 'other', type, data }];
  }
}

function parseSystem(data: Json): AgentEvent[] {
  const subtype = str(data.subtype);
  if (subtype === 'init') {
    return [
      {
        kind: 'init',
        sessionId: str(data.session_id),
        model: str(data.model),
        cwd: str(data.cwd),
        tools: Array.isArray(data.tools) ? data.tools.filter((t): t is string => typeof t === 'string') : [],
      },
    ];
  }
  return [{ kind: 'other', type: subtype === '' ? 'system' : `system.${subtype}`, data }];
}

function blocksOf(message: unknown): unknown[] {
  if (!isObject(message)) return [];
  if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
  return Array.isArray(message.content) ? message.content : [];
}

function parseAssistant(data: Json): AgentEvent[] {
  const blocks = blocksOf(data.message);
  // The CLI reports an upstream failure it gave up on as a synthetic assistant message.
  if (data.is_api_error_message === true || (typeof data.error === 'string' && data.error !== '')) {
    const texts = blocks
      .filter(isObject)
      .filter((b) => b.type === 'text')
      .map((b) => str(b.text));
    const message = texts.join('\n').trim() || `API error: ${str(data.error, 'unknown')}`;
    return [{ kind: 'error', message }];
  }
  const events: AgentEvent[] = [];
  for (const b of blocks) {
    if (!isObject(b)) continue;
    switch (b.type) {
      case 'text':
        events.push({ kind: 'text', text: str(b.text) });
        break;
      case 'thinking':
        events.push({ kind: 'thinking', text: str(b.thinking) });
        break;
      case 'tool_use':
      case 'server_tool_use':
      case 'mcp_tool_use':
        events.push({ kind: 'tool_use', id: str(b.id), name: str(b.name), input: b.input ?? {} });
        break;
      default:
        events.push({ kind: 'other', type: `assistant.${str(b.type, 'unknown')}`, data: b });
    }
  }
  if (events.length === 0) return [{ kind: 'other', type: 'assistant', data }];
  return events;
}

/** A tool result's content as text: a string as is; text blocks joined; other blocks as a short placeholder. */
export function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '';
  if (!Array.isArray(content)) return JSON.stringify(content);
  return content
    .map((b) => {
      if (!isObject(b)) return typeof b === 'string' ? b : JSON.stringify(b);
      if (b.type === 'text') return str(b.text);
      if (b.type === 'image') {
        const source = isObject(b.source) ? b.source : {};
        return `[image${typeof source.media_type === 'string' ? ` ${source.media_type}` : ''}]`;
      }
      if (b.type === 'tool_reference') return `[tool ${str(b.tool_name, '?')}]`;
      return `[${str(b.type, 'block')}]`;
    })
    .join('\n');
}

function parseUser(data: Json): AgentEvent[] {
  const events: AgentEvent[] = [];
  let other = false;
  for (const b of blocksOf(data.message)) {
    if (isObject(b) && b.type === 'tool_result') {
      events.push({ kind: 'tool_result', toolUseId: str(b.tool_use_id), content: toolResultText(b.content), isError: b.is_error === true });
    } else {
      other = true;
    }
  }
  if (other || events.length === 0) events.push({ kind: 'other', type: 'user', data });
  return events;
}

function usageOf(u: unknown): Usage {
  const o = isObject(u) ? u : {};
  return {
    inputTokens: num(o.input_tokens),
    outputTokens: num(o.output_tokens),
    cacheReadTokens: num(o.cache_read_input_tokens),
    cacheCreationTokens: num(o.cache_creation_input_tokens),
  };
}

function parseResult(data: Json): AgentEvent[] {
  const events: AgentEvent[] = [];
  if (Array.isArray(data.errors)) {
    for (const e of data.errors) events.push({ kind: 'error', message: typeof e === 'string' ? e : JSON.stringify(e) });
  }
  events.push({
    kind: 'result',
    subtype: str(data.subtype, 'unknown'),
    isError: data.is_error === true,
    result: str(data.result),
    sessionId: str(data.session_id),
    numTurns: num(data.num_turns),
    durationMs: num(data.duration_ms),
    costUsd: num(data.total_cost_usd),
    usage: usageOf(data.usage),
    ...('structured_output' in data ? { structuredOutput: data.structured_output } : {}),
  });
  return events;
}
