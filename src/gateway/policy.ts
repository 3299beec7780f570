/**
 * What a run may ask the model for: an optional allowlist of models (globs: `claude-sonnet-*`) and an optional cap on
 * `max_tokens`, checked on the parsed JSON body of each Messages call. The body the upstream gets is the one that was
 * checked, serialised again, so a duplicate key or odd whitespace cannot mean one thing here and another there.
 */

export interface GatewayPolicy {
  /** Model globs a run may use (`*` matches any run of characters); empty or undefined: any model. */
  models?: readonly string[] | undefined;
  /** The largest `max_tokens` a Messages call may ask for; undefined: no cap. */
  maxTokens?: number | undefined;
}

export type BodyCheck = { ok: true; body: Buffer; model: string } | { ok: false; status: 400 | 403; type: 'invalid_request_error' | 'permission_error'; why: string };

const globRe = (glob: string) => new RegExp(`^${glob.split('*').map(escapeRe).join('.*')}$`, 'i');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function modelAllowed(policy: GatewayPolicy, model: string): boolean {
  if (!policy.models || policy.models.length === 0) return true;
  return policy.models.some((g) => globRe(g).test(model));
}

/** What a call's body is checked for: the field the max_tokens cap applies to, the model its path names (if any). */
export interface BodyRules {
  maxTokensField?: string | undefined;
  /** A body without the field gets it, set to the cap (Codex sends none), instead of being refused. */
  capWhenMissing?: boolean | undefined;
  pathModel?: string | undefined;
}

/**
 * Checks a model call's body. rules: true is Anthropic's Messages call (max_tokens capped), false its count_tokens
 * call; other vendors' calls say which field is capped and whether the model is named by the path instead.
 */
export function checkBody(policy: GatewayPolicy, raw: Buffer, rules: boolean | BodyRules): BodyCheck {
  const r: BodyRules = typeof rules === 'boolean' ? (rules ? { maxTokensField: 'max_tokens' } : {}) : rules;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, status: 400, type: 'invalid_request_error', why: 'the request body is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, status: 400, type: 'invalid_request_error', why: 'the request body is not a JSON object' };
  const b = body as Record<string, unknown>;
  const model = r.pathModel ?? b.model;
  if (typeof model !== 'string' || model === '') return { ok: false, status: 400, type: 'invalid_request_error', why: 'model: expected a model name' };
  if (!modelAllowed(policy, model)) {
    return { ok: false, status: 403, type: 'permission_error', why: `model ${model.slice(0, 100)} is not allowed for this run (allowed: ${(policy.models ?? []).join(', ')})` };
  }
  const field = r.maxTokensField;
  if (field !== undefined && policy.maxTokens !== undefined) {
    if (b[field] === undefined && r.capWhenMissing) b[field] = policy.maxTokens;
    const mt = b[field];
    if (typeof mt !== 'number' || !Number.isInteger(mt) || mt < 1) return { ok: false, status: 400, type: 'invalid_request_error', why: `${field}: expected a positive integer` };
    if (mt > policy.maxTokens) return { ok: false, status: 400, type: 'invalid_request_error', why: `${field} ${mt} is above this run's cap of ${policy.maxTokens}` };
  }
  return { ok: true, body: Buffer.from(JSON.stringify(b)), model };
}
