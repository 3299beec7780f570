/** What a shell run's container runs (docs/shell.md): kept apart from app/shell.ts so prepare.ts loads no terminal code. */

/** A login shell: bash where the image has it, else sh (the entry script runs it with the relay and egress bridges up). */
export const SHELL_ARGV: string[] = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -l; fi; exec sh -l'];

/** The terminal type an interactive run's container gets (the user's terminal is asked for no more than xterm's). */
export const TERMINAL_TYPE = 'xterm-256color';

/** The print-mode flags Paddock's Claude argv begins with (agents/claude/argv.ts); an interactive run drops them. */
const CLAUDE_PRINT_FLAGS = ['-p', '--output-format', 'stream-json', '--verbose'];

/**
 * What the container of `spawn --interactive` runs: Claude Code's own TUI with the run's options, session and prompt
 * (the headless argv without its print-mode flags), after a ~/.claude.json that answers its first-start dialogs —
 * onboarding done, /workspace trusted, bypass mode accepted (the container is the sandbox, as for every run), and the
 * run's own token (its last 20 characters, as the CLI keeps them) approved — so the TUI opens on the task. The session
 * HOME is reset at every start (app/jail.ts), so the file is written every time.
 */
export function interactiveClaudeArgv(headless: readonly string[]): string[] {
  const [binary, ...rest] = headless;
  if (binary !== 'claude' || CLAUDE_PRINT_FLAGS.some((f, i) => rest[i] !== f)) {
    throw new Error(`the agent's argv does not start with claude ${CLAUDE_PRINT_FLAGS.join(' ')}: it has no interactive form here`);
  }
  const script = [
    `k=\${ANTHROPIC_API_KEY:-}`,
    // The last 20 characters (POSIX sh: strip all but them).
    `if [ \${#k} -gt 20 ]; then k=\${k#"\${k%????????????????????}"}; fi`,
    'printf \'{"hasCompletedOnboarding":true,"bypassPermissionsModeAccepted":true,"projects":{"/workspace":{"hasTrustDialogAccepted":true,"hasCompletedProjectOnboarding":true}},"customApiKeyResponses":{"approved":["%s"],"rejected":[]}}\' "$k" > "$HOME/.claude.json"',
    'unset k',
    'exec "$@"',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'paddock-interactive', binary, ...rest.slice(CLAUDE_PRINT_FLAGS.length)];
}
