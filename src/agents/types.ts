/** What an agent CLI said, normalised across agents. One output line can yield several events. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

export type AgentEvent =
  | { kind: 'init'; sessionId: string; model: string; cwd: string; tools: string[] }
  | { kind: 'text'; text: string }
  | { kind: 'thinking'; text: string }
  | { kind: 'tool_use'; id: string; name: string; input: unknown }
  | { kind: 'tool_result'; toolUseId: string; content: string; isError: boolean }
  | {
      kind: 'result';
      /** success | error_max_turns | error_during_execution | … as the CLI says. */
      subtype: string;
      isError: boolean;
      result: string;
      sessionId: string;
      numTurns: number;
      durationMs: number;
      costUsd: number;
      usage: Usage;
      /** With --json-schema: the validated structured answer (Claude Code's `structured_output`). */
      structuredOutput?: unknown;
    }
  | { kind: 'error'; message: string }
  /** A line we do not model (kept whole, so nothing is lost). */
  | { kind: 'other'; type: string; data: unknown };

export type AgentEventKind = AgentEvent['kind'];

/** How the container reaches the model: a base URL and a per-run token (never a real credential). */
export interface ModelAccess {
  baseUrl: string;
  token: string;
}

/** The part of an agent adapter the rest of Paddock uses: argv from options, output line → events. */
export interface AgentAdapter<Options> {
  readonly name: string;
  /** Whose model API the CLI speaks (the gateway fronts that vendor for its runs): anthropic when not given. */
  readonly vendor?: 'anthropic' | 'openai' | 'gemini';
  /** Parses and validates the agent's option set (throws a PaddockError INVALID_INPUT naming the bad field). */
  parseOptions(input: unknown): Options;
  /**
   * The container command: argv, run under tini, in /workspace. persistent: the agent stays alive between turns and
   * takes its prompts (the first one too) on stdin, one encodeMessage() line each; the prompt argument is not used.
   * paddockMcpUrl: a coordinator run's Paddock MCP endpoint inside the container (streamable HTTP), as server "paddock".
   */
  buildArgv(prompt: string, options: Options, ctx: { sessionId: string; resume: boolean; persistent?: boolean; paddockMcpUrl?: string }): string[];
  /** One message for a persistent agent's stdin, as one line (no newline). Agents without it cannot be persistent. */
  encodeMessage?(text: string): string;

  /** Environment for the agent process. */
  buildEnv(model: ModelAccess): Record<string, string>;
  parseLine(line: string): AgentEvent[];
  /**
   * A parser for one pass over a run's stdout, line by line in order, for CLIs whose events need what came before
   * (Gemini's text deltas joined into one answer, a result carrying the last answer); the supervisor uses it instead
   * of parseLine when given.
   */
  lineParser?(): (line: string) => AgentEvent[];
  /**
   * Files Paddock writes into the session HOME at each run start, after its reset (the CLI's headless settings), by
   * '/'-separated path under HOME. The model access is the one buildEnv gets.
   */
  homeFiles?(model: ModelAccess, options: Options): Record<string, string>;
  /**
   * '/'-separated paths under HOME ('*' matches one name) whose plain files survive from run to run: the conversation
   * a resume reads. Everything else in HOME is removed at each start (Claude's ~/.claude/projects is always kept).
   */
  readonly keepInHome?: readonly string[];
  /** What a non-zero exit code means for this CLI (e.g. Gemini's 41: authentication), when it has a meaning. */
  exitReason?(code: number): string | undefined;
  /** The least memory a run of this CLI needs: the default when the request names none; a request for less is refused. */
  readonly minMemoryBytes?: number;
  /**
   * The CLI names its session itself (Codex's thread id) rather than taking Paddock's session id: a resume is given the
   * id the session's earlier run announced in its init event (app/agent-session.ts).
   */
  readonly namesItsSession?: boolean;
}
