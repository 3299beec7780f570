/**
 * The native API (/api/v1) from the browser: JSON in and out, the login's bearer token on every request, the API's
 * own error body ({error: {code, message, hint}}) as an ApiError. A 401 forgets the token and sends the user to login.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  constructor(status: number, code: string, message: string, hint?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint;
  }
  /** The field a validation message names ("task: task is empty…" → task), as the API words them. */
  get field(): string | undefined {
    return this.code === 'INVALID_INPUT' ? /^([\w.]+): /.exec(this.message)?.[1] : undefined;
  }
  /** The message without its field prefix. */
  get detail(): string {
    return this.field ? this.message.slice(this.field.length + 2) : this.message;
  }
}

const TOKEN_KEY = 'paddock.token';
const listeners = new Set<() => void>();

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
    for (const l of listeners) l();
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    for (const l of listeners) l();
  },
  /** Calls fn when the login changes; returns the unsubscribe. */
  subscribe(fn: () => void): () => void {
    listeners.add(fn);
    return () => listeners.delete(fn);
  },
};

/** The board learns that auth is required (a 401): the app shows the login page. */
export const unauthorized = new EventTarget();

export function authHeaders(token = session.token()): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; hint?: string } | string };
    if (typeof body.error === 'object' && body.error) return new ApiError(res.status, body.error.code ?? 'ERROR', body.error.message ?? text, body.error.hint);
    if (typeof body.error === 'string') return new ApiError(res.status, res.status === 401 ? 'UNAUTHORIZED' : 'ERROR', body.error);
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, 'ERROR', text || res.statusText);
}

export async function api<T>(method: string, path: string, body?: unknown, init: { token?: string | null; signal?: AbortSignal } = {}): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { ...authHeaders(init.token === undefined ? session.token() : init.token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (!res.ok) {
    const e = await errorOf(res);
    if (res.status === 401 && init.token === undefined) unauthorized.dispatchEvent(new Event('unauthorized'));
    throw e;
  }
  return (await res.json()) as T;
}
