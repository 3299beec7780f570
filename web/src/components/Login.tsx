/**
 * Logging in when the daemon's auth is on: an API token (PADDOCK_API_TOKENS) or a JWT. With JWTs configured, a
 * static token is exchanged for a short-lived access token (POST /auth/token), which is what the browser keeps.
 */
import { type FormEvent, useState } from 'react';
import { ApiError, api, session } from '../lib/api.ts';
import { navigate } from '../lib/router.ts';

export function Login() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const given = token.trim();
    try {
      let kept = given;
      try {
        kept = (await api<{ access_token: string }>('POST', '/auth/token', { client_id: 'web-board' }, { token: given })).access_token;
      } catch (err) {
        // 503: no JWT secret on this daemon; the token itself is the login (checked next).
        if (!(err instanceof ApiError && err.status === 503)) throw err;
      }
      await api('GET', '/api/v1/ping', undefined, { token: kept });
      session.set(kept);
      navigate(new URLSearchParams(location.search).get('next') || '/', true);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That token is not accepted by this daemon.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card login" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      <p>This daemon asks for a token: one of its API tokens, or a JWT access token.</p>
      <label htmlFor="token">Token</label>
      <input id="token" name="token" type="password" autoComplete="current-password" value={token} onChange={(e) => setToken(e.target.value)} required />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !token.trim()}>
        Log in
      </button>
    </form>
  );
}
