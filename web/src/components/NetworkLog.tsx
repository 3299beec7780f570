/** The run's network: its mode, rules and each connection attempt (GET /api/v1/runs/{id}/network), refreshed while it lives. */
import { useEffect, useState } from 'react';
import { api } from '../lib/api.ts';
import { bytes, time } from '../lib/format.ts';
import type { RunNetwork } from '../lib/types.ts';

export function NetworkLog({ runId, live }: { runId: string; live: boolean }) {
  const [net, setNet] = useState<RunNetwork | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    const load = () =>
      api<RunNetwork>('GET', `/api/v1/runs/${runId}/network?limit=200`).then(
        (n) => !stop && setNet(n),
        (e: Error) => !stop && setError(e.message),
      );
    void load();
    const t = live ? setInterval(() => void load(), 3000) : undefined;
    return () => {
      stop = true;
      if (t) clearInterval(t);
    };
  }, [runId, live]);
  return (
    <section className="panel" aria-labelledby="net-title">
      <h2 id="net-title">Network</h2>
      {error && <p className="muted">{error}</p>}
      {net && (
        <>
          <p>
            Mode <code>{net.mode}</code> · {net.summary.attempts} attempts, {net.summary.denied} denied
          </p>
          {net.allow.length > 0 && <p className="muted small">Allowed: {net.allow.join(', ')}</p>}
          {net.attempts.length > 0 && (
            <ul className="net">
              {net.attempts.map((a) => (
                <li key={a.seq} className={a.allowed ? '' : 'bad'}>
                  {time(a.ts)} {a.method} {a.host}:{a.port} {a.allowed ? `↑${bytes(a.bytesUp)} ↓${bytes(a.bytesDown)}` : `refused: ${a.reason ?? ''}`}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
