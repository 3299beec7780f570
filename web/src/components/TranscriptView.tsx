/** The transcript, newest at the bottom; it follows new entries while the reader is at the bottom. */
import { useEffect, useRef } from 'react';
import type { Transcript } from '../lib/transcript.ts';
import { TranscriptEntry } from './TranscriptEntry.tsx';

export function TranscriptView({ transcript }: { transcript: Transcript }) {
  const end = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  useEffect(() => {
    const onScroll = () => {
      follow.current = window.innerHeight + window.scrollY >= document.body.scrollHeight - 80;
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, []);
  useEffect(() => {
    if (follow.current && transcript.entries.length) end.current?.scrollIntoView({ block: 'end' });
  }, [transcript.entries.length]);
  return (
    <section className="transcript" aria-label="Transcript" data-last-seq={transcript.lastSeq}>
      <h2>Transcript</h2>
      {transcript.entries.length === 0 && <p className="muted">Nothing yet.</p>}
      <ol>
        {transcript.entries.map((e) => (
          <li key={e.key}>
            <TranscriptEntry entry={e} />
          </li>
        ))}
      </ol>
      <div ref={end} />
    </section>
  );
}
