/**
 * What the API lets a user do with this run now: stop it while it lives, send a persistent run its next message,
 * continue an ended run's conversation with a new task (a new run, opened when it is made).
 */
import { type FormEvent, useState } from 'react';
import { api } from '../lib/api.ts';
import { isLive } from '../lib/columns.ts';
import { navigate } from '../lib/router.ts';
import type { Run } from '../lib/types.ts';

export function RunControls({ run }: { run: Run }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const live = isLive(run.state);
  const act = async (what: () => Promise<string | undefined>) => {
    setBusy(true);
    setMsg(null);
    try {
      const said = await what();
      if (said) setMsg({ ok: true, text: said });
    } catch (e) {
      setMsg({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  const stop = () =>
    act(async () => {
      await api('POST', `/api/v1/runs/${run.id}/stop`, { wait: false });
      return 'Stopping…';
    });
  const send = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const r = await api<{ queued: boolean }>('POST', `/api/v1/runs/${run.id}/messages`, { text });
      setText('');
      return r.queued ? 'Sent: it comes after the current turn.' : 'Sent.';
    });
  };
  const resume = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      const r = await api<Run>('POST', `/api/v1/runs/${run.id}/resume`, { task: text });
      setText('');
      navigate(`/runs/${r.id}`);
      return undefined;
    });
  };
  return (
    <div className="controls">
      {live && (
        <button type="button" className="danger" disabled={busy} onClick={() => void stop()}>
          Stop
        </button>
      )}
      {live && run.keepAlive && (
        <form onSubmit={send} className="inline-form">
          <label htmlFor="message">Message</label>
          <input id="message" value={text} onChange={(e) => setText(e.target.value)} placeholder="Tell the agent…" />
          <button type="submit" disabled={busy || !text.trim()}>
            Send
          </button>
        </form>
      )}
      {!live && (
        <form onSubmit={resume} className="inline-form">
          <label htmlFor="resume">Continue with</label>
          <input id="resume" value={text} onChange={(e) => setText(e.target.value)} placeholder="A new task in the same conversation…" />
          <button type="submit" disabled={busy || !text.trim()}>
            Resume
          </button>
        </form>
      )}
      {msg && (
        <p className={msg.ok ? 'muted' : 'field-error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
    </div>
  );
}
