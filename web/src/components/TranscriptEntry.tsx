/** One transcript entry. Agent text is shown as text (React escapes it); tool calls fold open to show their result. */
import type { Entry } from '../lib/transcript.ts';

export function TranscriptEntry({ entry: e }: { entry: Entry }) {
  switch (e.type) {
    case 'text':
      return <p className="t-text">{e.text}</p>;
    case 'thinking':
      return <p className="t-thinking">{e.text}</p>;
    case 'tool':
      return (
        <details className={`t-tool${e.isError ? ' t-failed' : ''}`}>
          <summary>
            <span className="tool-name">{e.name}</span> <span className="tool-input">{firstLine(e.input)}</span>
            {e.result === null ? <span className="muted"> · running…</span> : e.isError ? <span className="bad"> · failed</span> : null}
          </summary>
          <pre className="tool-full">{e.input}</pre>
          {e.result !== null && <pre className={e.isError ? 'tool-result bad' : 'tool-result'}>{e.result}</pre>}
        </details>
      );
    case 'error':
      return (
        <p className="t-error" role="alert">
          {e.text}
        </p>
      );
    case 'stderr':
      return <pre className="t-stderr">{e.text}</pre>;
    case 'state':
      return <p className="t-state">{e.text}</p>;
    case 'result':
      return <p className={e.isError ? 't-result t-error' : 't-result'}>{e.text}</p>;
  }
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() && l.trim() !== '{') ?? '';
  return line.length > 100 ? `${line.slice(0, 100)}…` : line.trim();
}
