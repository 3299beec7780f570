/**
 * Which routes the guards leave alone, as Stromboli's route groups do (API.md §1.1): /health and the API's own
 * docs are public; /auth/* is neither rate limited nor behind the auth guard (POST /auth/token authenticates inside
 * its route, the other three read the token themselves). Everything else is the protected group.
 */
const PUBLIC = new Set(['/health', '/openapi.json', '/docs']);

export const isPublicPath = (path: string): boolean => PUBLIC.has(path.length > 1 ? path.replace(/\/$/, '') : path);
export const isAuthPath = (path: string): boolean => path === '/auth' || path.startsWith('/auth/');
/** Routes the rate limit and the auth guard apply to. */
export const isProtectedPath = (path: string): boolean => !isPublicPath(path) && !isAuthPath(path);
