/** The spawn request, validated at the edge. CLI flags, REST bodies and MCP tool calls all land here. */
import { z } from 'zod';
import { TASK_TYPES, type WorkspaceKind } from '../jobs/run.ts';
import { NETWORK_MODES } from '../egress/mode.ts';
import { codexOptionsSchema } from '../agents/codex/options.ts';
import { geminiOptionsSchema } from '../agents/gemini/options.ts';

/** The agent CLIs a run can use (app/agents.ts has their adapters). */
export const AGENT_CLIS = ['claude', 'codex', 'gemini'] as const;
import { lifecycleInputSchema } from './hooks/schema.ts';
import { servicesInputSchema } from '../services/schema.ts';

/** Where a run works: its own clone of a repository, an empty scratch directory, or a directory mounted as it is. */
export const WORKSPACE_KINDS = ['clone', 'scratch', 'mount'] as const satisfies readonly WorkspaceKind[];

export const spawnInputSchema = z.object({
  repo: z
    .string()
    .trim()
    .min(1, 'repo is required: the path of a git repository')
    .optional()
    .describe('Path of the git repository the agent works on (never mounted writable); for workspace mount, the directory to mount. Required unless workspace is scratch'),
  workspace: z
    .enum(WORKSPACE_KINDS)
    .default('clone')
    .describe(
      'clone: a private clone and branch of repo (default); scratch: an empty directory, nothing comes back; mount: the directory repo mounted as it is (only under PADDOCK_WORKDIR_ROOTS, no branch)',
    ),
  verbatim: z.boolean().default(false).describe("Send the task to the agent as it is, without the task type's framing (scratch and mount runs always do)"),
  newSessionId: z.uuid().optional().describe('Start a new agent session with this id (a UUID that no session has yet), instead of a generated one'),
  task: z.string().trim().min(1, 'task is empty: say what the agent should do').describe('What the agent should do'),
  type: z.enum(TASK_TYPES).default('feature').describe('Task type: feature, test, mutation or explore (explore brings nothing back)'),
  branch: z.string().trim().min(1).optional().describe('Run branch to create (default paddock/<slug>-<id8>)'),
  reuseBranch: z.boolean().default(false).describe('Allow an existing branch: the run starts from its tip'),
  base: z.string().trim().min(1).optional().describe("Commit-ish the branch starts from (default: the repo's HEAD)"),
  agent: z.enum(AGENT_CLIS).default('claude').describe('Agent CLI: claude (default), codex or gemini'),
  cli: z.enum(AGENT_CLIS).optional().describe('The same as agent (its user-facing name, as --cli)'),
  codex: codexOptionsSchema.optional().describe('Codex CLI options, for a codex run (docs/agents.md#codex): model, reasoning_effort, append_system_prompt'),
  gemini: geminiOptionsSchema.optional().describe('Gemini CLI options, for a gemini run (docs/agents.md#gemini): model, approval_mode, max_session_turns, include_directories'),
  project: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('A stored project (docs/projects.md): its repository when repo is left out, and its defaults for what the request leaves out (base, image, limits, egress additions, notifications)'),
  persona: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      "A stored agent persona, e.g. qa (CLI: --persona, or --agent): its role prompt (appended to the system prompt), model, image, tools and limits, where the request leaves them out; before the project's",
    ),
  model: z.string().trim().min(1).optional().describe('Model name or alias passed to the agent (e.g. sonnet)'),
  memory: z.union([z.string(), z.number()]).optional().describe('Memory limit, e.g. 512m or 1g'),
  cpus: z.union([z.string(), z.number()]).optional().describe('CPU limit, e.g. 1 or 0.5'),
  pids: z.union([z.string(), z.number()]).optional().describe('Process limit, e.g. 512'),
  timeout: z.union([z.string(), z.number()]).optional().describe('Wall-clock limit, e.g. 30m (a number is seconds)'),
  image: z.string().trim().min(1).optional().describe('Agent image (default PADDOCK_IMAGE)'),
  sessionId: z.string().trim().min(1).optional().describe('Continue this agent session (its id, or the id of a run of it): its HOME is mounted and the CLI resumes the conversation (--resume)'),
  withChanges: z.boolean().default(false).describe("Start from the working tree as it is: uncommitted tracked changes and untracked (not ignored) files go into the run's starting commit"),
  resume: z.boolean().default(false).describe('Accepted for Stromboli compatibility; a given sessionId always resumes'),
  agentOptions: z.record(z.string(), z.unknown()).default({}).describe("Agent CLI options (for Claude: the option set of Stromboli's `claude` object)"),
  keepAlive: z
    .boolean()
    .default(false)
    .describe(
      'A persistent run: the agent stays alive between turns and takes further messages (POST /api/v1/runs/{id}/messages) until it is stopped or idle too long; its timeout then defaults to PADDOCK_MAX_TIMEOUT',
    ),
  idleTimeout: z
    .union([z.string(), z.number()])
    .optional()
    .describe('With keepAlive: end the run after this long without a message, e.g. 30m (default PADDOCK_IDLE_TIMEOUT); 0 or "never": no idle limit'),

  mounts: z
    .array(
      z
        .object({
          host: z.string().min(1).max(4096).describe('Host path (resolved: symlinks and .. followed, then checked against PADDOCK_MOUNT_ALLOW)'),
          container: z.string().min(1).max(4096).describe('Where it appears in the container (system, credential, HOME and /workspace paths are refused)'),
          readOnly: z.boolean().default(true).describe('false: writable (only under a PADDOCK_MOUNT_ALLOW directory marked :rw)'),
        })
        .strict(),
    )
    .max(16)
    .default([])
    .describe('Extra host paths mounted into the run (nosuid, nodev; read-only unless asked): refused unless PADDOCK_MOUNT_ALLOW allows them (docs/policy.md)'),
  secretsEnv: z
    .record(z.string(), z.string())
    .default({})
    .describe('Environment variables the agent gets from stored secrets, variable → secret name, e.g. {"GH_TOKEN": "github-token"} (docs/secrets.md); at most 50'),
  network: z
    .object({
      mode: z
        .enum(NETWORK_MODES)
        .optional()
        .describe("none: no network at all; proxy: only through the run's egress proxy, by its allow list (the default); open: a bridge network, only where PADDOCK_EGRESS_OPEN permits it"),
      allow: z
        .array(z.string().trim().min(1).max(300))
        .max(100)
        .default([])
        .describe('HOST[:PORT] rules added to the server\'s default list (PADDOCK_EGRESS_ALLOW), e.g. "api.example.com", "*.example.org:8443"; * globs, no port: 80 and 443'),
    })
    .strict()
    .optional()
    .describe("The run's network (docs/egress.md); default: proxy with the server's allow list, or none when that list is empty"),
  budget: z
    .number({ error: 'must be a number of US dollars' })
    .positive('must be more than 0')
    .finite()
    .optional()
    .describe(
      "The most this run may spend on model calls, in US dollars, as Paddock's gateway counts them (default: the agent option max_budget_usd); covers the runs spawned on its behalf (parentRunId) too. Past it the next call is refused and the run ends failed, budget_exceeded",
    ),
  parentRunId: z
    .string()
    .trim()
    .regex(/^[0-9a-f]{4,12}$/, 'expected a run id (hex)')
    .optional()
    .describe("The run this one is spawned on behalf of (a coordinator): its spend counts against the tree's budget (the root's), and a spent tree stops all its runs"),
  allowedModels: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .max(200)
        .regex(/^[A-Za-z0-9*._:@-]+$/, 'a model glob is letters, digits, ".", "_", "-", ":", "@" and "*"'),
    )
    .min(1)
    .max(50)
    .optional()
    .describe('Model globs the gateway lets this run use (e.g. ["claude-sonnet-*"]); within PADDOCK_GATEWAY_MODELS when that is set; default: PADDOCK_GATEWAY_MODELS'),
  maxTokens: z
    .int({ error: 'must be a whole number' })
    .positive('must be a positive integer')
    .optional()
    .describe('The largest max_tokens a model call of this run may ask for; at most PADDOCK_GATEWAY_MAX_TOKENS when that is set; default: PADDOCK_GATEWAY_MAX_TOKENS'),
  coordinator: z
    .boolean()
    .default(false)
    .describe(
      "A coordinator run: its agent gets Paddock's MCP tools (mcp__paddock__spawn_run, list_runs, wait_for_run, get_diff, …) through a socket that speaks for it, so it can spawn runs on its own repository as its children and watch them (never merge: docs/coordinator.md)",
    ),
  interactive: z
    .boolean()
    .default(false)
    .describe(
      "An interactive run (docs/shell.md): the agent CLI's own interface (Claude Code's TUI) on a terminal, opened with GET /api/v1/runs/{id}/terminal?mode=attach (paddock spawn --interactive); its output is not stored. Claude only",
    ),
  webhookUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .max(2048)
    .optional()
    .describe('POSTed (signed with PADDOCK_WEBHOOK_SECRET) when the run ends; loopback and private addresses are refused unless PADDOCK_WEBHOOK_ALLOW_PRIVATE=true'),
  lifecycle: lifecycleInputSchema.optional(),
  services: servicesInputSchema
    .optional()
    .describe(
      "Service containers beside the agent (docs/services.md): [{name, image, command, environment, healthcheck: {test, interval, timeout, retries}, depends_on}], at most 8; the agent reaches each by its name, in the run's own network namespace (no route out); health checks gate the agent's start",
    ),
  keepServices: z.boolean().default(false).describe("Keep the run's services after it ends, for inspection (`paddock gc` removes them)"),
  compose: z
    .object({
      path: z.string().trim().min(1).max(4096).describe("Absolute path of the Compose file on the daemon's host (.yml or .yaml), in a directory PADDOCK_REPO_ALLOW allows"),
      service: z.string().trim().min(1).max(64).describe('The service the agent runs in: its image is the run’s image; the other services run beside it'),
    })
    .strict()
    .optional()
    .describe(
      'A Compose environment (docs/services.md): the agent runs in the named service of the file, the others are its services (the Compose keys Paddock runs are listed there; any other is refused by name)',
    ),
});

export type SpawnInput = z.input<typeof spawnInputSchema>;
export type ParsedSpawnInput = z.output<typeof spawnInputSchema>;
