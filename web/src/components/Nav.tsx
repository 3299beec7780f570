/** The top bar: the board, a new run, logging out (when logged in). */
import { useSyncExternalStore } from 'react';
import { api, session } from '../lib/api.ts';
import { navigate } from '../lib/router.ts';
import { A } from './A.tsx';

export function Nav() {
  const token = useSyncExternalStore(session.subscribe, session.token);
  const logout = async () => {
    // A JWT is revoked (with its family); a static token stays valid, the browser just forgets it.
    if (token?.split('.').length === 3) await api('POST', '/auth/logout', undefined, { token }).catch(() => {});
    session.clear();
    navigate('/login');
  };
  return (
    <header className="nav">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <A href="/" className="brand">
        Paddock
      </A>
      <nav aria-label="Pages">
        <A href="/">Board</A>
        <A href="/new">New run</A>
        {token && (
          <button type="button" className="link" onClick={() => void logout()}>
            Log out
          </button>
        )}
      </nav>
    </header>
  );
}
