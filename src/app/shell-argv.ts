/** What a shell run's container runs (docs/shell.md): kept apart from app/shell.ts so prepare.ts loads no terminal code. */

/** A login shell: bash where the image has it, else sh (the entry script runs it with the relay and egress bridges up). */
export const SHELL_ARGV: string[] = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -l; fi; exec sh -l'];

/** The terminal type an interactive run's container gets (the user's terminal is asked for no more than xterm's). */
export const TERMINAL_TYPE = 'xterm-256color';
