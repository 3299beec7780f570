/** The use cases every surface calls: CLI, REST/SSE, MCP and the web board reach Paddock only through here. */
export { openPaddock } from './context.ts';
export type { OpenOptions, Paddock } from './context.ts';
export { spawnRun, resolveSession } from './spawn.ts';
export { resumeRun } from './resume.ts';
export type { ResumeInput } from './resume.ts';
export { spawnInputSchema } from './spawn-input.ts';
export type { SpawnInput } from './spawn-input.ts';
export { stopRun } from './stop.ts';
export { runPorts } from './ports.ts';
export { compareGroup, findGroup, groupComparisonSchema, groupInputSchema, groupListSchema, listGroups, spawnGroup } from './groups.ts';
export type { GroupComparison, GroupInput, SpawnedGroup } from './groups.ts';
// Persistent runs (keepAlive): further turns, in order, each delivered once.
export { conversationState, listMessages, MAX_MESSAGE_BYTES, sendMessage } from './messages.ts';
export type { ConversationState, MessageRefusal, MessageView, SendMessageResult } from './messages.ts';
export type { SpawnOptions } from './spawn.ts';
export { conversationEvents } from './conversation-stream.ts';
export type { ConversationEvent } from './conversation-stream.ts';

export type { StopResult } from './stop.ts';
export { listRuns, runStatus, runEvents } from './queries.ts';
// The web board's live feed: run views as runs change.
export { boardRuns, watchRunChanges } from './board.ts';
export type { RunStatus } from './queries.ts';
export type { ListRunsFilter } from './queries.ts';
export { diffRun, mergeRun } from './git-ops.ts';
export type { MergeRunResult, RunDiff, RunDiffFile } from './git-ops.ts';
export { removeRuns } from './rm.ts';
export type { RemovedRun } from './rm.ts';
export { gc } from './gc.ts';
export type { GcItem } from './gc.ts';
export type { GcOptions } from './gc.ts';
export { doctor } from './doctor.ts';
export type { Check } from './doctor.ts';
export { buildImage } from './images.ts';
// What runs can be started with: agent CLIs and agent images (MCP's list_agents and list_images, the board's form).
export { listAgents, listImages } from './catalog.ts';
export type { AgentInfo, ImageInfoView } from './catalog.ts';
// Images (docs/images.md): local images, stacks, image create, pull and search through the engine.
export { buildStacks, checkCreateImageInput, checkImageRef, createAgentImage, imageDetail, listLocalImages } from './image-catalog.ts';
export { pullImage, RANK_DESCRIPTIONS, removeLocalImage, searchImages, STACKS } from './image-catalog.ts';
export type { CompatibilityRank, CreateImageInput, ImageDetailView, ImageSearchView, ImageView, Stack, StackBuildResult, StackOrBase } from './image-catalog.ts';
export { reconcile, adoptOrphanedRuns } from './reconcile.ts';
export type { ReconcileReport } from './reconcile.ts';
export { findRun } from './find-run.ts';
export { SupervisorHost } from './host.ts';
export { mergeView, mergeViewSchema, runView, runViewSchema, eventViewSchema, sessionUsageSchema } from './views.ts';
export type { RunView } from './views.ts';
// Errors and settings every surface maps or reads (surfaces import app/ only).
export { ErrorCode, PaddockError, isPaddockError, invalidInput, notFound } from '../errors/index.ts';
export { loadConfig, parseDuration, formatDuration, formatBytes } from '../config/index.ts';
export type { Config } from '../config/index.ts';
export { TASK_TYPES, RUN_STATES, isTerminal } from '../jobs/index.ts';
export type { Run, RunState } from '../jobs/index.ts';
export type { StoredEvent } from '../events/index.ts';
export { deleteSession, getSession, listSessions } from './sessions.ts';
export type { SessionView } from './sessions.ts';
export { VERSION } from './version.ts';
export { processStart } from '../jobs/owner.ts';
// The daemon's TCP face: who may call (auth), how often (rate limit), and runs' end notifications (docs/auth.md).
export { Authenticator, MAX_CLIENT_ID } from './auth/authenticator.ts';
export type { TokenPair } from './auth/authenticator.ts';
export { TokenBucket } from './token-bucket.ts';
export type { TakeResult } from './token-bucket.ts';
export { WebhookDispatcher, backoffMs } from './webhooks/dispatcher.ts';
export type { DispatcherOptions, WebhookLog } from './webhooks/dispatcher.ts';
export { signWebhook, verifyWebhook } from './webhooks/signing.ts';
export { webhookStatus, webhookStatusSchema } from './webhooks/status.ts';
export type { WebhookStatus } from './webhooks/status.ts';
export { addressSet } from '../config/flags.ts';
export { stromboliEndStatus, stromboliJobId } from './webhooks/payload.ts';
// Observability: metrics, traces, and the logger port with its request/run context (docs/observability.md).
export { metricsOf } from './metrics.ts';
export type { PaddockMetrics } from './metrics.ts';
export { startTracing } from './tracing.ts';
export { logLineFields, loggerFor, nodeDebugWantsPaddock, setLogSink, tracer, tracingOn, withRequestContext } from '../telemetry/index.ts';
export type { LogSink } from '../telemetry/index.ts';
// Workspaces other than a clone, results handed back whole, session history, the job TTL, health (the Stromboli face uses them).
export { WORKSPACE_KINDS } from './spawn-input.ts';
export { chooseWorkspace, mountableDir } from './workspaces.ts';
export type { WorkdirChoice } from './workspaces.ts';
export { runOutputLines, runResult, waitForRun } from './run-result.ts';
export type { RunResult } from './run-result.ts';
export { messageId, sessionMessages } from './session-history.ts';
export type { SessionMessage, SessionMessageBlock } from './session-history.ts';
export { expireFinishedContainers } from './job-ttl.ts';
export { health, modelAccessConfigured } from './health.ts';
export { credentialStatus, defaultClaudeCredentialsFile, importCredentials, modelCredential, removeImportedCredentials } from './credentials.ts';
export type { CredentialStatus } from './credentials.ts';
export type { HealthComponent } from './health.ts';
export { OUTPUT_FORMATS, outputFormatOf, setOutputFormat } from './output-format.ts';
export type { OutputFormat } from './output-format.ts';
// A coordinator inside Paddock (docs/coordinator.md): its MCP socket and what its own connection may do.
export { COORDINATOR_MCP_PORT, COORDINATOR_MCP_URL, coordinatorToolArgs, MCP_SOCKET, serveCoordinatorMcp } from './coordinator.ts';
export type { RunMcpEndpoint } from './coordinator.ts';
// Egress (docs/egress.md): a run's network mode, allow rules and log.
export { NETWORK_MODES, runNetwork } from './network.ts';
export type { NetworkMode, RunNetworkView } from './network.ts';
// Secrets (docs/secrets.md): the store outside the database; values go in, never out.
export { deleteSecret, listSecrets, secretInfo, setSecret } from './secrets.ts';
export type { SecretInfo } from './secrets.ts';
// Projects and agent personas (docs/projects.md): named spawn defaults; the image chain; notifications of their runs.
export {
  addProject,
  listProjects,
  projectCreateSchema,
  projectPatchSchema,
  projectViewSchema,
  removeProject,
  setProject,
  showProject,
} from './projects.ts';
export type { ProjectCreateInput, ProjectPatchInput, ProjectView } from './projects.ts';
export { addPersona, BUILTIN_PERSONAS, listPersonas, personaCreateSchema, personaPatchSchema, personaViewSchema, removePersona, setPersona, showPersona } from './personas.ts';
export type { PersonaCreateInput, PersonaPatchInput, PersonaView } from './personas.ts';
export { chooseImage, PADDOCK_AGENT_IMAGE } from './image-chain.ts';
export type { ImageChoice, ImageLevel } from './image-chain.ts';
export { Notifier } from './notifications/index.ts';
// Interactive sessions (docs/shell.md): shell runs, and terminals on runs (attach to a TTY, or a shell beside the agent).
export { checkTerminal, openTerminal, SHELL_TASK, shellInputSchema, startShell, TERMINAL_MODES, terminalControlSchema } from './shell.ts';
export type { ShellInput, Terminal, TerminalControl, TerminalMode } from './shell.ts';
