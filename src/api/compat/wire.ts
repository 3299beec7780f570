/**
 * Stromboli's wire types (its swagger.yaml, 0.5.x), field for field: the request a Stromboli client sends and the
 * responses it reads. Requests are checked here for shape only (JSON types, unknown fields); what the values mean is
 * decided by app/ (the `claude` object by the agent's option parser, workdir by chooseWorkspace). Like Go's
 * encoding/json, a null is the same as an absent field.
 */
import { z } from 'zod';
import { spawnInputSchema } from '../../app/index.ts';

const str = z.string().nullish();
const bool = z.boolean().nullish();
const strs = z.array(z.string()).nullish();
const jsonText = z.union([z.string(), z.record(z.string(), z.unknown())]).nullish();

/**
 * `claude`: every Stromboli ClaudeOptions field with its JSON type. Fields it does not know pass on to the agent's
 * option parser, which refuses them by name (and says why for the ones Paddock knowingly leaves out).
 */
export const claudeOptionsWire = z
  .object({
    session_id: str,
    resume: bool,
    continue: bool,
    fork_session: bool,
    no_persistence: bool,
    model: str,
    fallback_model: str,
    system_prompt: str,
    append_system_prompt: str,
    tools: strs,
    allowed_tools: strs,
    disallowed_tools: strs,
    permission_mode: str,
    dangerously_skip_permissions: bool,
    allow_dangerously_skip_permissions: bool,
    input_format: str,
    output_format: str,
    include_partial_messages: bool,
    replay_user_messages: bool,
    json_schema: jsonText,
    max_budget_usd: z.number().nullish(),
    max_turns: z.number().int().nullish(),
    mcp_configs: strs,
    strict_mcp_config: bool,
    agent: str,
    agents: z.record(z.string(), z.unknown()).nullish(),
    add_dirs: strs,
    plugin_dirs: strs,
    files: strs,
    settings: jsonText,
    setting_sources: strs,
    betas: strs,
    verbose: bool,
    debug: str,
    disable_slash_commands: bool,
    effort: str,
    prompt_caching_ttl: str,
    bedrock_service_tier: str,
    enable_powershell_tool: bool,
  })
  .loose()
  .meta({ id: 'StromboliClaudeOptions', description: 'Claude Code options (Stromboli ClaudeOptions); see docs/api.md for what each maps to' });

export const lifecycleWire = z.object({ on_create_command: strs, post_create: strs, post_start: strs, hooks_timeout: str }).strict();
export const environmentWire = z.object({ type: str, path: str, service: str, build_timeout: str }).strict();

export const podmanOptionsWire = z
  .object({
    image: str,
    volumes: strs,
    secrets_env: z.record(z.string(), z.string()).nullish(),
    timeout: str,
    memory: str,
    cpus: str,
    cpu_shares: z.number().int().nullish(),
    lifecycle: lifecycleWire.nullish(),
    environment: environmentWire.nullish(),
  })
  .strict()
  .meta({ id: 'StromboliPodmanOptions', description: 'Container options (Stromboli PodmanOptions); `container` is an alias' });

export const runRequestWire = z
  .object({
    prompt: z.string().min(1, 'is required'),
    workdir: str.describe(
      'A host path: in a git repository, the run gets its own clone and branch; a plain directory is mounted as it is if it is under PADDOCK_WORKDIR_ROOTS; absent, an empty workspace',
    ),
    webhook_url: str.describe('POSTed when the job ends (async)'),
    claude: claudeOptionsWire.nullish(),
    // Paddock's own: another agent CLI than Claude Code, and its options block beside `claude`.
    cli: spawnInputSchema.shape.cli.unwrap().nullish().describe('Paddock: the agent CLI, claude (default), codex or gemini'),
    codex: spawnInputSchema.shape.codex.unwrap().nullish().describe('Paddock: Codex CLI options, for cli codex (model, reasoning_effort, append_system_prompt)'),
    gemini: spawnInputSchema.shape.gemini.unwrap().nullish().describe('Paddock: Gemini CLI options, for cli gemini (model, approval_mode, max_session_turns, include_directories)'),
    services: spawnInputSchema.shape.services.unwrap().nullish().describe("Paddock: service containers beside the agent, in the run's own network namespace (docs/services.md)"),
    podman: podmanOptionsWire.nullish(),
    container: podmanOptionsWire.nullish().describe('Alias of podman'),
  })
  .strict()
  .meta({ id: 'StromboliRunRequest' });

export type RunRequestWire = z.output<typeof runRequestWire>;
export type ClaudeOptionsWire = z.output<typeof claudeOptionsWire>;
export type PodmanOptionsWire = z.output<typeof podmanOptionsWire>;

// Responses (documented in /openapi.json; Stromboli's own swagger.yaml is what tests check them against).
export const usageWire = z
  .object({
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cache_creation_input_tokens: z.number().int(),
    cache_read_input_tokens: z.number().int(),
    total_tokens: z.number().int(),
    estimated_cost_usd: z.number(),
    model: z.string().optional(),
  })
  .meta({ id: 'StromboliUsage' });
export const crashInfoWire = z
  .object({
    exit_code: z.number().int().optional(),
    signal: z.string().optional(),
    reason: z.string().optional(),
    partial_output: z.string().optional(),
    task_completed: z.boolean().optional(),
  })
  .meta({ id: 'StromboliCrashInfo' });
export const runResponseWire = z
  .object({
    id: z.string(),
    status: z.string().describe('completed, crashed, error'),
    output: z.string().optional(),
    structured_output: z.unknown().optional(),
    error: z.string().optional(),
    session_id: z.string().optional(),
    usage: usageWire.optional(),
    crash_info: crashInfoWire.optional(),
  })
  .meta({ id: 'StromboliRunResponse' });
export const jobStatusWire = z.enum(['pending', 'running', 'completed', 'failed', 'crashed', 'cancelled']);
export const jobResponseWire = z
  .object({
    id: z.string(),
    status: jobStatusWire,
    output: z.string().optional(),
    structured_output: z.unknown().optional(),
    error: z.string().optional(),
    session_id: z.string().optional(),
    crash_info: crashInfoWire.optional(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'StromboliJobResponse' });
export const asyncRunResponseWire = z.object({ job_id: z.string(), session_id: z.string() }).meta({ id: 'StromboliAsyncRunResponse' });
export const jobListWire = z.object({ jobs: z.array(jobResponseWire) }).meta({ id: 'StromboliJobListResponse' });
export const jobCancelWire = z.object({ cancelled: z.boolean(), job_id: z.string() }).meta({ id: 'StromboliJobCancelResponse' });
export const sessionListWire = z
  .object({ sessions: z.array(z.object({ id: z.string(), title: z.string().optional() })).nullable(), error: z.string().optional() })
  .meta({ id: 'StromboliSessionListResponse' });
export const sessionDestroyWire = z.object({ success: z.boolean(), session_id: z.string().optional(), error: z.string().optional() }).meta({ id: 'StromboliSessionDestroyResponse' });
const contentBlockWire = z.object({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.record(z.string(), z.unknown()).optional(),
  tool_use_id: z.string().optional(),
  content: z.string().optional(),
  is_error: z.boolean().optional(),
});
export const messageWire = z
  .object({
    uuid: z.string(),
    parent_uuid: z.string().optional(),
    type: z.enum(['user', 'assistant']),
    session_id: z.string(),
    timestamp: z.string(),
    cwd: z.string(),
    git_branch: z.string().optional(),
    version: z.string(),
    permission_mode: z.string().optional(),
    content: z.object({ role: z.string(), model: z.string().optional(), content: z.array(contentBlockWire) }),
  })
  .meta({ id: 'StromboliMessage' });
export const sessionMessagesWire = z
  .object({ messages: z.array(messageWire).nullable(), total: z.number().int(), offset: z.number().int(), limit: z.number().int(), has_more: z.boolean() })
  .meta({ id: 'StromboliSessionMessagesResponse' });
export const sessionMessageWire = z.object({ message: messageWire }).meta({ id: 'StromboliSessionMessageResponse' });
export const healthWire = z
  .object({
    status: z.enum(['ok', 'degraded']),
    name: z.string(),
    version: z.string(),
    components: z.array(z.object({ name: z.string(), status: z.enum(['ok', 'error']), error: z.string().optional() })),
  })
  .meta({ id: 'StromboliHealthResponse' });
export const claudeStatusWire = z.object({ configured: z.boolean(), message: z.string() }).meta({ id: 'StromboliClaudeStatusResponse' });
export const plainErrorWire = z.object({ error: z.string() }).meta({ id: 'StromboliErrorResponse' });
