/** The pages by path; any 401 from the API shows the login page (then back where the user was). */
import { useEffect } from 'react';
import { Board } from './components/Board.tsx';
import { DiffPage } from './components/DiffPage.tsx';
import { Login } from './components/Login.tsx';
import { Nav } from './components/Nav.tsx';
import { NewRun } from './components/NewRun.tsx';
import { RunPage } from './components/RunPage.tsx';
import { session, unauthorized } from './lib/api.ts';
import { navigate, parseRoute, usePath } from './lib/router.ts';

export function App() {
  const route = parseRoute(usePath());
  useEffect(() => {
    const toLogin = () => {
      session.clear();
      if (location.pathname !== '/login') navigate(`/login?next=${encodeURIComponent(location.pathname)}`, true);
    };
    unauthorized.addEventListener('unauthorized', toLogin);
    return () => unauthorized.removeEventListener('unauthorized', toLogin);
  }, []);
  useEffect(() => {
    document.title = { board: 'Board', new: 'New run', login: 'Log in', run: 'Run', diff: 'Diff', missing: 'Not found' }[route.page] + ' · Paddock';
  }, [route.page]);
  return (
    <>
      <Nav />
      <main id="main">
        {route.page === 'board' && <Board />}
        {route.page === 'new' && <NewRun />}
        {route.page === 'login' && <Login />}
        {route.page === 'run' && <RunPage key={route.id} id={route.id} />}
        {route.page === 'diff' && <DiffPage key={route.id} id={route.id} />}
        {route.page === 'missing' && <p className="notice">No such page.</p>}
      </main>
    </>
  );
}
