/** A run's events as transcript entries: a tool call carries its result, Paddock's state changes are one line each. */
import type { RunEvent } from './types.ts';

export type Entry =
  | { key: string; type: 'text'; text: string }
  | { key: string; type: 'thinking'; text: string }
  | { key: string; type: 'tool'; id: string; name: string; input: string; result: string | null; isError: boolean }
  | { key: string; type: 'error'; text: string }
  | { key: string; type: 'stderr'; text: string }
  | { key: string; type: 'state'; text: string }
  | { key: string; type: 'result'; text: string; isError: boolean };

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v, null, 2));

export interface Transcript {
  entries: Entry[];
  /** tool_use id → its index in entries, for its result. */
  tools: Map<string, number>;
  lastSeq: number;
}

export const emptyTranscript = (): Transcript => ({ entries: [], tools: new Map(), lastSeq: 0 });

/** Adds events (each once: a seq at or below the last one is skipped). Returns a new transcript when anything changed. */
export function addEvents(t: Transcript, events: readonly RunEvent[]): Transcript {
  const fresh = events.filter((e) => e.seq > t.lastSeq);
  if (fresh.length === 0) return t;
  const entries = t.entries.slice();
  const tools = new Map(t.tools);
  for (const e of fresh) {
    const d = e.data;
    const key = String(e.seq);
    switch (e.kind) {
      case 'text':
        entries.push({ key, type: 'text', text: str(d.text) });
        break;
      case 'thinking':
        entries.push({ key, type: 'thinking', text: str(d.text) });
        break;
      case 'tool_use':
        tools.set(str(d.id), entries.length);
        entries.push({ key, type: 'tool', id: str(d.id), name: str(d.name), input: str(d.input), result: null, isError: false });
        break;
      case 'tool_result': {
        const at = tools.get(str(d.toolUseId));
        const call = at === undefined ? undefined : entries[at];
        if (call?.type === 'tool' && at !== undefined) entries[at] = { ...call, result: str(d.content), isError: d.isError === true };
        else entries.push({ key, type: 'tool', id: str(d.toolUseId), name: 'result', input: '', result: str(d.content), isError: d.isError === true });
        break;
      }
      case 'error':
        entries.push({ key, type: 'error', text: str(d.message) });
        break;
      case 'stderr':
        entries.push({ key, type: 'stderr', text: str(d.text) });
        break;
      case 'result': {
        // The final answer is usually the last text already shown: then only how the turn ended is added.
        const last = entries.at(-1);
        const repeated = last?.type === 'text' && last.text.trim() === str(d.result).trim();
        const how = `${d.isError === true ? 'ended with an error' : 'finished'}${typeof d.numTurns === 'number' ? ` after ${d.numTurns} turns` : ''}`;
        entries.push({ key, type: 'result', text: repeated ? how : `${how}: ${str(d.result)}`, isError: d.isError === true });
        break;
      }
      case 'state':
        entries.push({ key, type: 'state', text: `${str(d.from)} → ${str(d.to)}${d.reason ? `: ${str(d.reason)}` : ''}` });
        break;
      case 'note':
        entries.push({ key, type: 'state', text: str(d.message) });
        break;
      default:
        break;
    }
  }
  return { entries, tools, lastSeq: fresh.at(-1)?.seq ?? t.lastSeq };
}
