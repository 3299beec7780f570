/**
 * An Engine API path with the names in it replaced by placeholders (/containers/{id}/start), so a span name or a log
 * op says what kind of call it was, the same for every container; the path itself goes along as a field.
 */
const COLLECTION_VERBS = new Set(['json', 'create', 'prune', 'load', 'search', 'get']);

export function enginePathTemplate(path: string): string {
  const p = path.split('?')[0]!.replace(/^\/v[\d.]+(?=\/)/, '');
  const m = /^\/(containers|volumes|networks|exec)\/([^/]+)(\/.*)?$/.exec(p);
  if (m) return COLLECTION_VERBS.has(m[2]!) && !m[3] ? p : `/${m[1]}/{id}${m[3] ?? ''}`;
  // Image references contain slashes (localhost/paddock-agent:latest): everything up to the last verb is the ref.
  const i = /^\/images\/(.+?)(\/(json|tag|push|history|get))?$/.exec(p);
  if (i) return COLLECTION_VERBS.has(i[1]!) ? p : `/images/{ref}${i[2] ?? ''}`;
  return p;
}
