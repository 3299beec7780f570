/**
 * The model vendors the gateway fronts, one row each: where the real endpoint is set, which host variable holds its
 * real key, which calls are forwarded (method, path, query, whether the answer is counted), how the run's token
 * arrives from the CLI, how the real credential goes upstream, and how usage is read from an answer (JSON or SSE).
 * The relay (model-relay.ts) is the same for every vendor; only this row differs. An agent adapter names its vendor.
 */
import type http from 'node:http';
import type { Usage } from '../agents/types.ts';
import type { UpstreamCredential } from './upstream.ts';

export type VendorName = 'anthropic' | 'openai' | 'gemini';
export const VENDOR_NAMES: readonly VendorName[] = ['anthropic', 'openai', 'gemini'];

/** One call the gateway forwards. */
export interface VendorCall {
  method: 'GET' | 'POST';
  /** The path exactly, or a pattern for paths that carry a name (Gemini's `/v1beta/models/<model>:generateContent`). */
  path: string | RegExp;
  body: boolean;
  /** Its answer is read for usage (the model calls; not listings or token counts). */
  counts: boolean;
  /** Query parameters passed on, with the values they may take (anything else is refused). */
  query?: Readonly<Record<string, RegExp>>;
  /** The body's top-level field the run's max_tokens cap applies to (none: no cap on this call). */
  maxTokensField?: string;
  /** A body without that field gets it, set to the cap (the CLI leaves it out); else such a body is refused. */
  capWhenMissing?: boolean;
  /** The model this call names in its path (the capture), when the body names none. */
  modelFromPath?: (path: string) => string | undefined;
}

type Json = Record<string, unknown>;

/**
 * What one parsed answer (a JSON body, or one SSE `data:` event) says about usage. `start`: a new message begins
 * (its running totals restart at zero). `total`: running totals so far for this message (fields it does not name keep
 * their previous value). The tap (usage-tap.ts) turns totals into increments.
 */
export interface UsageReading {
  start?: boolean;
  model?: string;
  total?: Partial<Usage>;
}

export interface Vendor {
  name: VendorName;
  /** The config field (and setting) with the real endpoint's base URL. */
  baseUrlSetting: 'anthropicBaseUrl' | 'openaiBaseUrl' | 'geminiBaseUrl';
  /** The host variable with the real key (never given to a container). */
  keyEnv: string;
  calls: readonly VendorCall[];
  /** A path segment this vendor's calls may have besides plain names (Gemini's `<model>:streamGenerateContent`). */
  pathSegment?: RegExp;
  /** The per-run token as the CLI sends it (undefined: none given). */
  tokenOf(headers: http.IncomingHttpHeaders, query: URLSearchParams): string | undefined;
  /** A query parameter that carries the token in (removed before forwarding), if the vendor allows one. */
  tokenQuery?: string;
  /** Puts the real credential on the upstream request's headers (the caller's own auth headers are already gone). */
  applyCredential(headers: http.OutgoingHttpHeaders, credential: UpstreamCredential): void;
  /** Usage in a JSON answer's body, or in one SSE event's data. */
  readUsage(data: unknown, sse: boolean): UsageReading | undefined;
  /** A cheap call that proves the endpoint is there (doctor). */
  probe: { path: string; headers: http.OutgoingHttpHeaders };
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
const bearer = (h: http.IncomingHttpHeaders) => /^Bearer (.+)$/i.exec(h.authorization ?? '')?.[1];
const header = (h: http.IncomingHttpHeaders, name: string) => (typeof h[name] === 'string' ? (h[name] as string) : undefined);

function defined(o: { [K in keyof Usage]: number | undefined }): Partial<Usage> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<Usage>;
}

/** Anthropic Messages usage: input, output and cache counts, named as the API names them. */
function anthropicUsage(u: unknown): Partial<Usage> | undefined {
  if (!isObject(u)) return undefined;
  return defined({
    inputTokens: count(u.input_tokens),
    outputTokens: count(u.output_tokens),
    cacheReadTokens: count(u.cache_read_input_tokens),
    cacheCreationTokens: count(u.cache_creation_input_tokens),
  });
}

const anthropic: Vendor = {
  name: 'anthropic',
  baseUrlSetting: 'anthropicBaseUrl',
  keyEnv: 'ANTHROPIC_API_KEY',
  // The Claude CLI (2.1.332) sends `?beta=true` on its Messages calls; listing models pages with limit/after_id/before_id.
  calls: [
    { method: 'POST', path: '/v1/messages', body: true, counts: true, query: { beta: /^true$/ }, maxTokensField: 'max_tokens' },
    { method: 'POST', path: '/v1/messages/count_tokens', body: true, counts: false, query: { beta: /^true$/ } },
    {
      method: 'GET',
      path: '/v1/models',
      body: false,
      counts: false,
      query: { beta: /^true$/, limit: /^[0-9]{1,4}$/, after_id: /^[A-Za-z0-9._-]{1,128}$/, before_id: /^[A-Za-z0-9._-]{1,128}$/ },
    },
  ],
  tokenOf: (h) => header(h, 'x-api-key') ?? bearer(h),
  applyCredential(headers, c) {
    if (c.apiKey) headers['x-api-key'] = c.apiKey;
    else if (c.oauthToken) {
      headers.authorization = `Bearer ${c.oauthToken}`;
      const beta = String(headers['anthropic-beta'] ?? '');
      if (!beta.includes('oauth-2025-04-20')) headers['anthropic-beta'] = beta ? `${beta},oauth-2025-04-20` : 'oauth-2025-04-20';
    }
  },
  // `message_start` carries the input and cache tokens (and a first output count), `message_delta` the running output
  // total (and, on newer servers, running input/cache totals). A plain JSON reply carries one `usage` object.
  readUsage(data, sse) {
    if (!isObject(data)) return undefined;
    if (!sse) return data.type === 'message' ? { start: true, model: typeof data.model === 'string' ? data.model : '', total: anthropicUsage(data.usage) ?? {} } : undefined;
    if (data.type === 'message_start' && isObject(data.message)) {
      return { start: true, model: typeof data.message.model === 'string' ? data.message.model : '', total: anthropicUsage(data.message.usage) ?? {} };
    }
    if (data.type === 'message_delta') return { total: anthropicUsage(data.usage) ?? {} };
    return undefined;
  },
  probe: { path: '/v1/models', headers: { 'anthropic-version': '2023-06-01' } },
};

/**
 * OpenAI Responses usage. `input_tokens` includes the cached ones (`input_tokens_details.cached_tokens`): they are
 * counted as cache reads, the rest as input, so pricing bills each at its rate. OpenAI has no cache writes.
 */
function openaiUsage(u: unknown): Partial<Usage> | undefined {
  if (!isObject(u)) return undefined;
  const input = count(u.input_tokens);
  const cached = (isObject(u.input_tokens_details) ? count(u.input_tokens_details.cached_tokens) : undefined) ?? 0;
  return defined({
    inputTokens: input === undefined ? undefined : Math.max(0, input - cached),
    cacheReadTokens: input === undefined ? undefined : Math.min(cached, input),
    outputTokens: count(u.output_tokens),
    cacheCreationTokens: 0,
  });
}

const openaiResponse = (r: unknown): UsageReading | undefined => {
  if (!isObject(r)) return undefined;
  const model = typeof r.model === 'string' ? r.model : undefined;
  const total = openaiUsage(r.usage);
  return { ...(model !== undefined ? { model } : {}), ...(total ? { total } : {}) };
};

const openai: Vendor = {
  name: 'openai',
  baseUrlSetting: 'openaiBaseUrl',
  keyEnv: 'OPENAI_API_KEY',
  // The Codex CLI (0.169) calls only POST {base}/responses with its custom provider (wire_api = "responses"), the base
  // URL being the gateway's /v1. Listing models is allowed too (GET /v1/models), never anything else.
  calls: [
    { method: 'POST', path: '/v1/responses', body: true, counts: true, maxTokensField: 'max_output_tokens', capWhenMissing: true },
    { method: 'GET', path: '/v1/models', body: false, counts: false, query: { client_version: /^[0-9A-Za-z._-]{1,40}$/ } },
  ],
  tokenOf: (h) => bearer(h),
  applyCredential(headers, c) {
    const key = c.apiKey ?? c.oauthToken;
    if (key) headers.authorization = `Bearer ${key}`;
  },
  // SSE: `response.created` starts a response (model, no usage yet), `response.completed` (or .incomplete/.failed)
  // carries the final usage. A JSON answer is the response object itself.
  readUsage(data, sse) {
    if (!isObject(data)) return undefined;
    if (!sse) return data.object === 'response' ? { start: true, ...openaiResponse(data) } : undefined;
    if (data.type === 'response.created') return { start: true, ...openaiResponse(data.response) };
    if (data.type === 'response.completed' || data.type === 'response.incomplete' || data.type === 'response.failed') return openaiResponse(data.response);
    return undefined;
  },
  probe: { path: '/v1/models', headers: {} },
};

/**
 * Gemini usage (usageMetadata). promptTokenCount includes the cached tokens (cachedContentTokenCount): they are
 * counted as cache reads, the rest as input. Thinking tokens (thoughtsTokenCount) are billed as output, so they are
 * added to candidatesTokenCount. Gemini has no cache writes.
 */
function geminiUsage(u: unknown): Partial<Usage> | undefined {
  if (!isObject(u)) return undefined;
  const prompt = count(u.promptTokenCount);
  const cached = count(u.cachedContentTokenCount) ?? 0;
  const candidates = count(u.candidatesTokenCount);
  const thoughts = count(u.thoughtsTokenCount);
  return defined({
    inputTokens: prompt === undefined ? undefined : Math.max(0, prompt - cached),
    cacheReadTokens: prompt === undefined ? undefined : Math.min(cached, prompt),
    outputTokens: candidates === undefined && thoughts === undefined ? undefined : (candidates ?? 0) + (thoughts ?? 0),
    cacheCreationTokens: 0,
  });
}

/** A Gemini model call: /v1beta/models/<model>:<method>, the model a plain name (no `/`, no `..`: checked per segment). */
const geminiCall = (method: string) => new RegExp(`^/v1beta/models/[A-Za-z0-9][A-Za-z0-9._-]{0,127}:${method}$`);
const geminiModel = (path: string) => /^\/v1beta\/models\/([^/:]+):/.exec(path)?.[1];

/**
 * Gemini. The per-run token comes as x-goog-api-key (or ?key=, removed before forwarding); the real key goes up as
 * x-goog-api-key. The Gemini CLI (0.61) calls POST /v1beta/models/<model>:streamGenerateContent?alt=sse for its agent
 * loop (and :generateContent, :countTokens for its helpers); the model allowlist applies to the model in the path.
 * No max_tokens cap: Gemini's is generationConfig.maxOutputTokens, nested, and the CLI sends none.
 */
const gemini: Vendor = {
  name: 'gemini',
  baseUrlSetting: 'geminiBaseUrl',
  keyEnv: 'GEMINI_API_KEY',
  calls: [
    { method: 'POST', path: geminiCall('streamGenerateContent'), body: true, counts: true, query: { alt: /^sse$/ }, modelFromPath: geminiModel },
    { method: 'POST', path: geminiCall('generateContent'), body: true, counts: true, modelFromPath: geminiModel },
    { method: 'POST', path: geminiCall('countTokens'), body: true, counts: false, modelFromPath: geminiModel },
  ],
  pathSegment: /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}:(streamGenerateContent|generateContent|countTokens)$/,
  tokenOf: (h, q) => header(h, 'x-goog-api-key') ?? q.get('key') ?? undefined,
  tokenQuery: 'key',
  applyCredential(headers, c) {
    const key = c.apiKey ?? c.oauthToken;
    if (key) headers['x-goog-api-key'] = key;
  },
  // Every SSE chunk may carry usageMetadata with the running totals so far (the last one the final figures); a JSON
  // answer carries them once. Each answer names its model in modelVersion.
  readUsage(data, sse) {
    if (!isObject(data)) return undefined;
    const model = typeof data.modelVersion === 'string' ? data.modelVersion : undefined;
    const total = geminiUsage(data.usageMetadata);
    if (!sse && !Array.isArray(data.candidates) && total === undefined) return undefined;
    if (sse && total === undefined && model === undefined) return undefined;
    return { ...(sse ? {} : { start: true }), ...(model !== undefined ? { model } : {}), ...(total ? { total } : {}) };
  },
  probe: { path: '/v1beta/models', headers: {} },
};

export const VENDORS: Readonly<Record<VendorName, Vendor>> = { anthropic, openai, gemini };

export function vendorOf(name: VendorName | undefined): Vendor {
  return VENDORS[name ?? 'anthropic'];
}
