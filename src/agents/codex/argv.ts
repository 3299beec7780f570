/**
 * Codex options → the container's argv (never a shell: each value its own element). Checked with 0.169.0:
 *   codex exec --json --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check [-m M] [-c k=v…] -- <prompt>
 *   codex exec --json … resume <thread_id> -- <prompt>          (a session's next run, in a fresh container)
 * The container is the sandbox, so Codex's own (bubblewrap) is off. The prompt comes after `--`, so one starting with
 * "-" is never read as a flag. Codex has no `--session-id`: it names its thread itself (`thread.started`), and resume
 * takes that thread id (app/agent-session.ts finds it in the session's earlier run).
 */
import type { CodexOptions } from './options.ts';

export const CODEX_BINARY = 'codex';

export interface CodexArgvContext {
  /** For a resume: Codex's thread id (a UUID); for a new session: Paddock's session id (unused by Codex). */
  sessionId: string;
  resume: boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function buildCodexArgv(prompt: string, options: CodexOptions, ctx: CodexArgvContext): string[] {
  const argv = [CODEX_BINARY, 'exec', '--json', '--dangerously-bypass-approvals-and-sandbox', '--skip-git-repo-check'];
  if (options.model !== undefined) argv.push('-m', options.model);
  // -c values are TOML; JSON strings are TOML basic strings.
  if (options.reasoning_effort !== undefined) argv.push('-c', `model_reasoning_effort=${JSON.stringify(options.reasoning_effort)}`);
  if (options.append_system_prompt !== undefined) argv.push('-c', `developer_instructions=${JSON.stringify(options.append_system_prompt)}`);
  if (ctx.resume) {
    if (!UUID_RE.test(ctx.sessionId)) throw new Error(`not a Codex thread id: ${ctx.sessionId.slice(0, 60)}`);
    argv.push('resume', ctx.sessionId);
  }
  argv.push('--', prompt);
  return argv;
}
