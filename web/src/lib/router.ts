/** The board's pages as paths (the daemon answers index.html for each: src/api/web.ts WEB_ROUTES), with history. */
import { useSyncExternalStore } from 'react';

export type Route = { page: 'board' } | { page: 'new' } | { page: 'login' } | { page: 'run'; id: string } | { page: 'diff'; id: string } | { page: 'missing' };

export function parseRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'board' };
  if (path === '/new') return { page: 'new' };
  if (path === '/login') return { page: 'login' };
  const m = /^\/runs\/([\w-]{1,64})(\/diff)?$/.exec(path);
  if (m?.[1]) return m[2] ? { page: 'diff', id: m[1] } : { page: 'run', id: m[1] };
  return { page: 'missing' };
}

const subscribe = (fn: () => void) => {
  window.addEventListener('popstate', fn);
  return () => window.removeEventListener('popstate', fn);
};

export function navigate(to: string, replace = false): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}
