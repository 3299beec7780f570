/**
 * Gemini CLI options → the container's argv. Never goes through a shell: every value is its own argv element.
 *
 * Shape (0.61.0): gemini --approval-mode yolo -m <model> --output-format stream-json <session> [--include-directories a,b] -p <prompt>
 * Session: `--session-id <uuid>` starts one (exit 42 if it exists already), `-r <uuid>` continues it. Without yolo
 * the CLI offers no shell or write tools headless. `-p` takes its value, so `-p <prompt>` is safe for a prompt that
 * starts with "-" (yargs reads the next element as the value).
 */
import type { ArgvContext } from '../claude/argv.ts';
import { DEFAULT_GEMINI_MODEL, type GeminiOptions } from './options.ts';

/** The CLI launcher inside the agent image (on PATH). */
export const GEMINI_BINARY = 'gemini';

export function buildGeminiArgv(prompt: string, options: GeminiOptions, ctx: ArgvContext): string[] {
  const argv = [GEMINI_BINARY, '--approval-mode', options.approval_mode ?? 'yolo', '-m', options.model ?? DEFAULT_GEMINI_MODEL, '--output-format', 'stream-json'];
  if (ctx.resume) argv.push('-r', ctx.sessionId);
  else argv.push('--session-id', ctx.sessionId);
  if (options.include_directories !== undefined && options.include_directories.length > 0) argv.push('--include-directories', options.include_directories.join(','));
  // `--prompt=<text>`: one element, so yargs can never take the prompt for a flag whatever it starts with.
  argv.push(`--prompt=${prompt}`);
  return argv;
}
