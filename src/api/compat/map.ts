/**
 * Stromboli's wire ↔ Paddock's use cases, both ways: a run request into spawnRun's input, a run into a RunResponse
 * or a JobResponse, Paddock's run states into Stromboli's job states. Nothing is decided here that app/ decides:
 * workdir goes to chooseWorkspace, the `claude` object to the agent's option parser (inside spawnRun).
 */
import { chooseWorkspace, getSession, stromboliJobId, invalidInput, isTerminal, type OutputFormat, type Paddock, type Run, runOutputLines, runResult, type SpawnInput } from '../../app/index.ts';
import { claudeOptionsWire, type ClaudeOptionsWire, type PodmanOptionsWire, type RunRequestWire } from './wire.ts';

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'crashed' | 'cancelled';

/**
 * Fields of `claude` that change nothing for Paddock whatever their value: the output format is only how the result
 * is handed back (the agent always writes stream-json, with --verbose); bypass is already allowed in the sealed
 * container; Bedrock and PowerShell do not apply on Paddock's Linux containers behind its own model relay; the
 * cache TTL is a cost hint Paddock does not set.
 */
const PRESENTATION_ONLY = new Set(['output_format', 'verbose', 'allow_dangerously_skip_permissions', 'bedrock_service_tier', 'enable_powershell_tool', 'prompt_caching_ttl']);

/**
 * Fields Paddock does not support, at the value that asks for nothing (false, "", [] or Claude's default): dropped.
 * Any other value goes on to the agent's parser, which refuses it saying why.
 */
const INERT_WHEN: Record<string, (v: unknown) => boolean> = {
  no_persistence: (v) => v === false,
  tools: (v) => Array.isArray(v) && v.length === 0,
  input_format: (v) => v === '' || v === 'text',
  replay_user_messages: (v) => v === false,
  strict_mcp_config: (v) => v === false,
  agent: (v) => v === '',
  plugin_dirs: (v) => Array.isArray(v) && v.length === 0,
  files: (v) => Array.isArray(v) && v.length === 0,
  setting_sources: (v) => Array.isArray(v) && v.length === 0,
  debug: (v) => v === '',
  disable_slash_commands: (v) => v === false,
  effort: (v) => v === '',
  // Stromboli: 0 = unlimited, which is also what leaving it out means here.
  max_turns: (v) => v === 0,
};

export interface MappedRequest {
  input: SpawnInput;
  outputFormat: OutputFormat;
}

/** The fields of a Stromboli run request, and Paddock's own: the agent CLI and its options blocks beside `claude`. */
type StromboliFields = Pick<RunRequestWire, 'prompt' | 'workdir' | 'webhook_url' | 'claude' | 'podman' | 'container'>;
type AgentFields = 'cli' | 'codex' | 'gemini';

/** A Stromboli run request (or /run/stream's query, as one) → spawnRun's input and the output format to answer in. */
export async function spawnInputOf(p: Paddock, req: StromboliFields & Partial<Pick<RunRequestWire, AgentFields | 'services'>>): Promise<MappedRequest> {
  if (req.podman && req.container) throw invalidInput('podman and container are the same options (container is an alias): send one of them');
  const claude: ClaudeOptionsWire = req.claude ?? {};
  const podman: PodmanOptionsWire = req.podman ?? req.container ?? {};
  const outputFormat = outputFormatOf(claude.output_format);

  const agentOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claude)) {
    // A null is "not set" for a field Stromboli has; a field it does not have goes on (to be refused by name) even then.
    if (v === undefined || (v === null && k in claudeOptionsWire.shape) || PRESENTATION_ONLY.has(k) || INERT_WHEN[k]?.(v)) continue;
    agentOptions[k] = v;
  }
  const sessionId = claude.session_id ?? undefined;
  // Stromboli's session_id names a new session as well as one to resume: a new one starts under that id.
  const existing = sessionId !== undefined && /^[0-9a-f-]{36}$/i.test(sessionId) && sessionExists(p, sessionId);
  const session = sessionId === undefined ? {} : existing || claude.resume === true ? { sessionId } : { newSessionId: sessionId };
  const where = await chooseWorkspace(p, req.workdir ?? undefined, existing ? { sessionId } : {});

  return {
    outputFormat,
    input: {
      task: req.prompt,
      verbatim: true, // Stromboli sends the prompt as it is
      workspace: where.workspace,
      ...(where.workspace === 'scratch' ? {} : { repo: where.repo }),
      ...(where.workspace === 'clone' && where.branch ? { branch: where.branch, reuseBranch: true } : {}),
      ...session,
      ...(claude.model ? { model: claude.model } : {}),
      ...podmanLimits(podman, req.container ? 'container' : 'podman'),
      ...(req.webhook_url ? { webhookUrl: req.webhook_url } : {}),
      ...(req.cli ? { cli: req.cli } : {}),
      ...(req.codex ? { codex: req.codex } : {}),
      ...(req.gemini ? { gemini: req.gemini } : {}),
      ...(req.services ? { services: req.services } : {}),
      agentOptions,
    },
  };
}

/** What GET /run/stream's query says, as a run request. */
export function streamRequestOf(q: { prompt: string; workdir?: string | undefined; session_id?: string | undefined }): Pick<RunRequestWire, 'prompt' | 'workdir' | 'claude'> {
  if (q.session_id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(q.session_id)) {
    throw invalidInput(`session_id "${q.session_id.slice(0, 64)}" is not a session id (a UUID)`, 'pass the session_id an earlier run answered with');
  }
  return { prompt: q.prompt, ...(q.workdir ? { workdir: q.workdir } : {}), ...(q.session_id ? { claude: { session_id: q.session_id } } : {}) };
}

function sessionExists(p: Paddock, id: string): boolean {
  try {
    getSession(p, id.toLowerCase());
    return true;
  } catch {
    return false;
  }
}

function outputFormatOf(v: string | null | undefined): OutputFormat {
  if (v === undefined || v === null || v === '' || v === 'text') return 'text';
  if (v === 'json' || v === 'stream-json') return v;
  throw invalidInput(`claude.output_format: must be text, json or stream-json, not "${v.slice(0, 64)}"`);
}

/**
 * `podman`: the limits map onto the run's; a relative CPU weight is a hint Paddock does not apply (it sets a hard CPU
 * limit). volumes and secrets_env go to the mount policy and the secret store (checked in spawnRun, refused by rule);
 * lifecycle to the run's hooks (docs/hooks.md); environment type compose to a Compose run (docs/services.md).
 */
function podmanLimits(o: PodmanOptionsWire, field: 'podman' | 'container'): Partial<SpawnInput> {
  const mounts = (o.volumes ?? []).map((v, i) => volumeOf(v, `${field}.volumes[${i}]`));
  const secretsEnv = o.secrets_env ?? {};
  // Lifecycle hooks, field by field (checked in spawnRun: app/hooks.ts); an empty lifecycle asks for nothing.
  const hooks = o.lifecycle;
  const lifecycle =
    hooks && (hooks.on_create_command?.length || hooks.post_create?.length || hooks.post_start?.length)
      ? {
          onCreate: hooks.on_create_command ?? [],
          postCreate: hooks.post_create ?? [],
          postStart: hooks.post_start ?? [],
          ...(hooks.hooks_timeout ? { hooksTimeout: hooks.hooks_timeout } : {}),
        }
      : undefined;
  // environment type compose: the agent runs in the named service of the Compose file, the others beside it (docs/services.md).
  const env = o.environment;
  if (env?.type && env.type !== 'compose') throw invalidInput(`${field}.environment.type "${env.type.slice(0, 32)}": expected "compose" or ""`);
  if (env?.type === 'compose' && (!env.path || !env.service)) throw invalidInput(`${field}.environment: type compose needs path (the Compose file) and service (the one the agent runs in)`);
  const compose = env?.type === 'compose' && env.path && env.service ? { compose: { path: env.path, service: env.service } } : {};
  return {
    ...(o.image ? { image: o.image } : {}),
    ...(o.timeout ? { timeout: o.timeout } : {}),
    ...(o.memory ? { memory: o.memory } : {}),
    ...(o.cpus ? { cpus: o.cpus } : {}),
    ...(mounts.length ? { mounts } : {}),
    ...(Object.keys(secretsEnv).length ? { secretsEnv } : {}),
    ...(lifecycle ? { lifecycle } : {}),
    ...compose,
  };
}

/** Stromboli's volume options Paddock takes: ro/rw, and the ones it applies anyway (nosuid, nodev) or that mean nothing here (z, Z: no SELinux relabelling). */
const VOLUME_OPTIONS = new Set(['ro', 'rw', 'nosuid', 'nodev', 'z', 'Z']);

/** `host:container[:options]` → a mount request (read-only unless rw is asked for). */
function volumeOf(v: string, at: string): { host: string; container: string; readOnly: boolean } {
  const parts = v.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw invalidInput(`${at}: "${v.slice(0, 200)}" is not host:container[:options]`, 'e.g. /data/ref:/ref:ro');
  const options = parts[2] ? parts[2].split(',') : [];
  const unknown = options.find((x) => !VOLUME_OPTIONS.has(x));
  if (unknown !== undefined) throw invalidInput(`${at}: volume option "${unknown.slice(0, 32)}" is not supported (Paddock takes ${[...VOLUME_OPTIONS].join(', ')})`);
  if (options.includes('ro') && options.includes('rw')) throw invalidInput(`${at}: ro and rw both given`);
  return { host: parts[0], container: parts[1], readOnly: !options.includes('rw') };
}

/** Paddock's run state as a Stromboli job status. A run killed by a signal (exit > 128, e.g. out of memory) crashed. */
export function jobStatusOf(run: Run): JobStatus {
  switch (run.state) {
    case 'queued':
    case 'pending':
    case 'starting':
      return 'pending';
    case 'running':
    case 'stalled':
    case 'idle':
      return 'running';
    case 'completed':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
    case 'crashed':
      return 'crashed';
    case 'failed':
      return (run.exitCode ?? 0) > 128 ? 'crashed' : 'failed';
    case 'timed_out':
      return 'failed';
  }
}

const SIGNALS: Record<number, string> = { 2: 'SIGINT', 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

/** The run's output in the format asked for: the final text, Claude's JSON result, or its stream-json lines. */
export async function outputOf(p: Paddock, run: Run, format: OutputFormat, opts: { lines?: boolean } = {}): Promise<string> {
  const r = runResult(p, run);
  const envelope = r.envelope ? JSON.stringify(r.envelope) : '';
  if (format === 'json') return envelope || r.text;
  if (format === 'stream-json') {
    const lines = opts.lines === false ? undefined : await runOutputLines(p, run);
    return (lines ? lines.join('\n') : envelope).trim();
  }
  return r.text.trim();
}

/** Why a run that did not complete ended, as Stromboli's error string reads. */
export function errorOf(run: Run): string {
  const why = run.reason ?? run.state;
  if (run.state === 'cancelled') return `cancelled: ${why}`;
  return `execution failed: ${why}${run.error && !why.includes(run.error) ? `: ${run.error.split('\n')[0]}` : ''}`;
}

export function crashInfoOf(p: Paddock, run: Run, output: string): Record<string, unknown> {
  const exit = run.exitCode ?? undefined;
  const signal = exit !== undefined && exit > 128 ? SIGNALS[exit - 128] : undefined;
  const r = runResult(p, run);
  return {
    ...(exit !== undefined ? { exit_code: exit } : {}),
    ...(signal ? { signal } : {}),
    reason: run.reason ?? (signal ? `Process exited with ${signal}` : 'crashed'),
    ...(output ? { partial_output: output.length > 2000 ? `...${output.slice(-2000)}` : output } : {}),
    task_completed: r.envelope !== undefined && !r.isError,
  };
}

/** Tokens and cost of the run itself, as Stromboli's usage; undefined when nothing was counted. */
export function usageOf(p: Paddock, run: Run): Record<string, unknown> | undefined {
  if (run.inputTokens === null && run.outputTokens === null) return undefined;
  const i = run.inputTokens ?? 0;
  const o = run.outputTokens ?? 0;
  const cc = run.cacheCreationTokens ?? 0;
  const cr = run.cacheReadTokens ?? 0;
  const model = runResult(p, run).model;
  return {
    input_tokens: i,
    output_tokens: o,
    cache_creation_input_tokens: cc,
    cache_read_input_tokens: cr,
    total_tokens: i + o + cc + cr,
    estimated_cost_usd: Math.round((run.costUsd ?? 0) * 1e6) / 1e6,
    ...(model ? { model } : {}),
  };
}

/**
 * POST /run's answer for an ended run: 200 completed (or crashed, with crash_info, as Stromboli does), else 500 with
 * status "error" and why (Stromboli answers any failed execution with 500). Keys in Stromboli's order.
 */
export async function runResponseOf(p: Paddock, run: Run, format: OutputFormat): Promise<{ status: 200 | 500; body: Record<string, unknown> }> {
  const status = jobStatusOf(run);
  const id = `run-${run.id}`;
  const usage = usageOf(p, run);
  if (status === 'completed' || status === 'crashed') {
    const output = await outputOf(p, run, format);
    const structured = runResult(p, run).structuredOutput;
    return {
      status: 200,
      body: {
        id,
        status,
        output,
        ...(structured !== undefined && structured !== null ? { structured_output: structured } : {}),
        session_id: run.sessionId,
        ...(usage ? { usage } : {}),
        ...(status === 'crashed' ? { crash_info: crashInfoOf(p, run, output) } : {}),
      },
    };
  }
  return { status: 500, body: { id, status: 'error', error: errorOf(run), session_id: run.sessionId, ...(usage ? { usage } : {}) } };
}

/** A run as a Stromboli job. `lines: false` (listing many jobs) leaves stream-json output at the result line. */
export async function jobOf(p: Paddock, run: Run, format: OutputFormat, opts: { lines?: boolean } = {}): Promise<Record<string, unknown>> {
  const status = jobStatusOf(run);
  const ended = isTerminal(run.state);
  const output = status === 'completed' || status === 'crashed' ? await outputOf(p, run, format, opts) : '';
  const structured = ended ? runResult(p, run).structuredOutput : undefined;
  return {
    id: stromboliJobId(run.id),
    status,
    ...(output ? { output } : {}),
    ...(structured !== undefined && structured !== null ? { structured_output: structured } : {}),
    ...(status === 'failed' ? { error: errorOf(run) } : {}),
    session_id: run.sessionId,
    ...(status === 'crashed' ? { crash_info: crashInfoOf(p, run, output) } : {}),
    created_at: rfc3339(run.createdAt),
    updated_at: rfc3339(run.updatedAt),
  };
}

/** A job id as Stromboli spells it (job-<id>; run-<id> from POST /run; a bare run id works too) → the run id, or undefined. */
export function runIdOfJob(id: string): string | undefined {
  // Whole ids only: a prefix (a CLI nicety) would let GET /jobs/a answer with some other job.
  const m = /^(?:job-|run-)?([0-9a-f]{12})$/i.exec(id);
  return m?.[1]?.toLowerCase();
}

/** RFC 3339 without fractional seconds, in the server's local offset (Go's time.Format("2006-01-02T15:04:05Z07:00")). */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const local = new Date(ms + off * 60_000).toISOString().slice(0, 19);
  if (off === 0) return `${local}Z`;
  const a = Math.abs(off);
  return `${local}${off > 0 ? '+' : '-'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
