/** Live data for the pages: the board's run feed and one run's event stream, both over SSE (lib/sse.ts). */
import { useEffect, useRef, useState } from 'react';
import { api } from './api.ts';
import { followStream } from './sse.ts';
import { addEvents, emptyTranscript, type Transcript } from './transcript.ts';
import type { Run, RunEvent } from './types.ts';

export type Link = 'connecting' | 'live' | 'reconnecting';

/** Every run, kept up to date by /api/v1/board/stream (a snapshot on each connect, then one run per change). */
export function useBoard(): { runs: Run[]; link: Link } {
  const [runs, setRuns] = useState<Map<string, Run>>(new Map());
  const [link, setLink] = useState<Link>('connecting');
  useEffect(() => {
    const ac = new AbortController();
    void followStream('/api/v1/board/stream', {
      signal: ac.signal,
      onOpen: () => setLink('live'),
      onDrop: () => setLink('reconnecting'),
      onFrame: (f) => {
        if (f.event === 'snapshot') setRuns(new Map((JSON.parse(f.data) as { runs: Run[] }).runs.map((r) => [r.id, r])));
        else if (f.event === 'run') {
          const r = JSON.parse(f.data) as Run;
          setRuns((m) => new Map(m).set(r.id, r));
        }
      },
    });
    return () => ac.abort();
  }, []);
  return { runs: [...runs.values()].sort((a, b) => b.createdAt - a.createdAt), link };
}

/**
 * One run and its transcript, from /api/v1/runs/{id}/events/stream: the snapshot (the run), each event once (a
 * reconnect sends Last-Event-ID), and `end` with the final run. Events are applied in batches of one frame.
 */
export function useRunStream(id: string): { run: Run | null; transcript: Transcript; link: Link; ended: boolean; error: string | null } {
  const [run, setRun] = useState<Run | null>(null);
  const [transcript, setTranscript] = useState<Transcript>(emptyTranscript);
  const [link, setLink] = useState<Link>('connecting');
  const [ended, setEnded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<RunEvent[]>([]);
  useEffect(() => {
    const ac = new AbortController();
    let done = false;
    let timer: number | undefined;
    setTranscript(emptyTranscript());
    setRun(null);
    setEnded(false);
    const flush = () => {
      timer = undefined;
      const batch = pending.current;
      pending.current = [];
      setTranscript((t) => addEvents(t, batch));
    };
    api<{ run: Run }>('GET', `/api/v1/runs/${encodeURIComponent(id)}`).then(
      (s) => setRun((r) => r ?? s.run),
      (e: Error) => setError(e.message),
    );
    void followStream(`/api/v1/runs/${encodeURIComponent(id)}/events/stream`, {
      signal: ac.signal,
      done: () => done,
      onOpen: () => setLink('live'),
      onDrop: () => setLink('reconnecting'),
      onFrame: (f) => {
        if (f.event === 'snapshot') setRun(JSON.parse(f.data) as Run);
        else if (f.event === 'end') {
          done = true;
          setRun(JSON.parse(f.data) as Run);
          setEnded(true);
        } else if (f.event === 'event') {
          const e = JSON.parse(f.data) as RunEvent;
          pending.current.push(e);
          timer ??= window.setTimeout(flush, 16);
          if (e.kind === 'state' && typeof e.data.to === 'string') setRun((r) => (r ? { ...r, state: e.data.to as Run['state'] } : r));
        }
      },
    });
    return () => {
      ac.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [id]);
  return { run, transcript, link, ended, error };
}

/** Re-renders every `ms` (ages on cards). */
export function useNow(ms = 10_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
