/**
 * Gemini CLI `--output-format stream-json` output → AgentEvent[]. Never throws.
 *
 * Line types of 0.61.0 (see test/fixtures/golden/gemini/):
 * - init {session_id, model}                                  → init
 * - message role user {content}                               → other, type "message.user" (the prompt echoed)
 * - message role assistant {content, delta: true}             → text: one model answer comes as several delta lines;
 *   the stateful parser (createGeminiParser) joins them into one text event, given with the next other line
 * - tool_use {tool_name, tool_id, parameters}                 → tool_use
 * - tool_result {tool_id, status, output?, error?}           → tool_result (isError when status is "error")
 * - error {severity, message}: "error" → error; "warning" → error with "warning: " in front (loop detected, …)
 * - result {status, error?, stats}                            → error (when error), then result
 * - anything else → other, kept whole; a line that is not JSON → other, type "raw"
 */
import type { AgentEvent, Usage } from '../types.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown, dflt = ''): string => (typeof v === 'string' ? v : dflt);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** What the stateful parser knows about the stream so far; the stateless parseGeminiLine starts from nothing each line. */
interface State {
  sessionId: string;
  /** The assistant text not yet given out (deltas of the current answer). */
  pending: string;
  /** The last complete assistant answer: the result's text. */
  lastText: string;
  /** Model answers seen (text answers and tool-call turns). */
  turns: number;
  /** Whether the current model turn was counted already. */
  inTurn: boolean;
}

function fresh(): State {
  return { sessionId: '', pending: '', lastText: '', turns: 0, inTurn: false };
}

/** One line, parsed alone (each delta its own text event). */
export function parseGeminiLine(line: string): AgentEvent[] {
  const s = fresh();
  const events = parseWith(s, line, false);
  if (s.pending !== '') events.push({ kind: 'text', text: s.pending });
  return events;
}

/**
 * A parser for one run's stream, in order: text deltas are joined into one text event per answer (given out in front
 * of the next line's events), the result carries the last answer's text, the session id and the number of turns.
 */
export function createGeminiParser(): (line: string) => AgentEvent[] {
  const s = fresh();
  return (line) => parseWith(s, line, true);
}

function flush(s: State): AgentEvent[] {
  if (s.pending === '') return [];
  const text = s.pending;
  s.pending = '';
  s.lastText = text;
  return [{ kind: 'text', text }];
}

function parseWith(s: State, line: string, join: boolean): AgentEvent[] {
  const text = line.trim();
  if (text === '') return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [...flush(s), { kind: 'other', type: 'raw', data: line }];
  }
  if (!isObject(data)) return [...flush(s), { kind: 'other', type: 'unknown', data }];
  try {
    if (data.type === 'message' && data.role === 'assistant') {
      if (!s.inTurn) {
        s.turns++;
        s.inTurn = true;
      }
      const piece = str(data.content);
      if (!join) return piece === '' ? [] : [{ kind: 'text', text: piece }];
      s.pending += piece;
      return [];
    }
    return [...flush(s), ...parseObject(s, data)];
  } catch {
    return [...flush(s), { kind: 'other', type: str(data.type, 'unknown'), data }];
  }
}

function parseObject(s: State, data: Json): AgentEvent[] {
  const type = str(data.type, 'unknown');
  switch (type) {
    case 'init':
      s.sessionId = str(data.session_id);
      return [{ kind: 'init', sessionId: s.sessionId, model: str(data.model), cwd: '', tools: [] }];
    case 'message':
      s.inTurn = false;
      return [{ kind: 'other', type: `message.${str(data.role, 'unknown')}`, data }];
    case 'tool_use':
      if (!s.inTurn) {
        s.turns++;
        s.inTurn = true;
      }
      return [{ kind: 'tool_use', id: str(data.tool_id), name: str(data.tool_name), input: data.parameters ?? {} }];
    case 'tool_result': {
      s.inTurn = false;
      const error = isObject(data.error) ? data.error : undefined;
      const isError = data.status === 'error';
      const content = typeof data.output === 'string' ? data.output : error ? str(error.message) : '';
      return [{ kind: 'tool_result', toolUseId: str(data.tool_id), content, isError }];
    }
    case 'error': {
      const message = str(data.message, 'unknown error');
      return [{ kind: 'error', message: data.severity === 'warning' ? `warning: ${message}` : message }];
    }
    case 'result':
      return parseResult(s, data);
    default:
      return [{ kind: 'other', type, data }];
  }
}

function usageOf(stats: unknown): Usage {
  const o = isObject(stats) ? stats : {};
  return { inputTokens: num(o.input_tokens), outputTokens: num(o.output_tokens), cacheReadTokens: num(o.cached), cacheCreationTokens: 0 };
}

function parseResult(s: State, data: Json): AgentEvent[] {
  const events: AgentEvent[] = [];
  const error = isObject(data.error) ? data.error : undefined;
  const status = str(data.status, 'unknown');
  if (error) events.push({ kind: 'error', message: str(error.message, 'unknown error') });
  const stats = isObject(data.stats) ? data.stats : {};
  events.push({
    kind: 'result',
    // success, or the error's type (the CLI says "unknown" for an API error it gave up on)
    subtype: status === 'success' ? 'success' : error ? `error_${str(error.type, 'unknown')}` : status,
    isError: status !== 'success',
    result: s.lastText,
    sessionId: s.sessionId,
    numTurns: s.turns,
    durationMs: num(stats.duration_ms),
    costUsd: 0,
    usage: usageOf(stats),
  });
  return events;
}
