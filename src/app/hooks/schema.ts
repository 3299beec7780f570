/** The lifecycle hooks of a spawn request, validated at the edge (docs/hooks.md); zod only, so every surface can import it. */
import { z } from 'zod';

const hookCommands = (what: string) =>
  z
    .array(
      z
        .string()
        .min(1, 'a hook command is empty')
        .max(8192, 'a hook command is at most 8192 characters')
        .refine((s) => !s.includes('\0'), 'a hook command has no NUL characters')
        .refine((s) => s.trim() !== '', 'a hook command is blank'),
    )
    .max(20, 'at most 20 commands per hook')
    .default([])
    .describe(what);

export const lifecycleInputSchema = z
  .object({
    onCreate: hookCommands("Shell commands run once per session, before its first run's agent starts (e.g. installs into ~/.local, which the session keeps)"),
    postCreate: hookCommands("Shell commands run once per session, after onCreate (Stromboli's post_create)"),
    postStart: hookCommands('Shell commands run before every agent start (each run and resume); background services they start keep running for the run'),
    hooksTimeout: z
      .union([z.string(), z.number()])
      .optional()
      .describe("The longest the run's hooks may take together (Stromboli's hooks_timeout), e.g. 90s or 5m (a number is seconds; default 5m, at most PADDOCK_MAX_TIMEOUT)"),
  })
  .strict()
  .describe("Lifecycle hooks (docs/hooks.md): run inside the run's container as the agent user, with its hardening, before the agent; fail-fast, a failing one fails the run");

export type LifecycleInput = z.input<typeof lifecycleInputSchema>;
