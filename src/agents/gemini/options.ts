/**
 * The Gemini CLI option set, as the run request carries it in its `gemini` object (beside Stromboli's `claude`),
 * validated for @google/gemini-cli 0.61.0. Paddock chooses the output format, the session and the auth itself.
 */
import { z } from 'zod';
import { ErrorCode, PaddockError } from '../../errors/index.ts';

/** The model when the caller names none: a fixed one, so the CLI's "auto" router (extra classifier calls) is off. */
export const DEFAULT_GEMINI_MODEL = 'gemini-2.5-pro';

/** `--approval-mode` values of 0.61 that run headless (`default` would ask, and nobody answers). */
export const GEMINI_APPROVAL_MODES = ['yolo', 'auto_edit', 'plan'] as const;
export type GeminiApprovalMode = (typeof GEMINI_APPROVAL_MODES)[number];

const listItem = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .refine((s) => !s.startsWith('-'), `${what} must not start with "-" (it would be read as a command-line flag)`)
    .refine((s) => !s.includes(','), `${what} must not contain "," (the CLI splits the list on commas)`);

export const geminiOptionsSchema = z
  .strictObject({
    model: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a model name is letters, digits, ".", "_" and "-"')
      .optional()
      .describe(`Gemini model (\`-m\`), e.g. gemini-2.5-pro or gemini-2.5-flash. Default ${DEFAULT_GEMINI_MODEL}.`),
    approval_mode: z
      .enum(GEMINI_APPROVAL_MODES)
      .optional()
      .describe('yolo (default: every tool, shell and file writes included), auto_edit (file edits but no shell), plan (read-only) (`--approval-mode`).'),
    max_session_turns: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1000, 'must be at most 1000')
      .optional()
      .describe('Stop after this many model turns (settings model.maxSessionTurns); the run then fails with exit 53.'),
    include_directories: z.array(listItem('a directory')).optional().describe('More directories (inside the container) the tools may access (`--include-directories`).'),
  })
  .describe('Gemini CLI options (`gemini` object).');

export type GeminiOptions = z.output<typeof geminiOptionsSchema>;
export type GeminiOptionsInput = z.input<typeof geminiOptionsSchema>;

export const GEMINI_OPTION_FIELDS: readonly string[] = Object.freeze(Object.keys(geminiOptionsSchema.shape));

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${String(p)}`), 'gemini');
}

function friendly(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    if (issue.message.endsWith('received undefined')) return 'is required';
    return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  }
  if (issue.code === 'invalid_value') return `must be one of ${GEMINI_APPROVAL_MODES.join(', ')}`;
  return issue.message;
}

/** Validates a `gemini` options object; throws PaddockError INVALID_INPUT naming every bad or unknown field. */
export function parseGeminiOptions(input: unknown): GeminiOptions {
  const value = input === undefined || input === null ? {} : input;
  const r = geminiOptionsSchema.safeParse(value);
  if (r.success) return r.data;
  const problems: string[] = [];
  const unknownFields: string[] = [];
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const k of issue.keys) unknownFields.push(formatPath([...issue.path, k]));
    else if (issue.path.length === 0 && issue.code === 'invalid_type') problems.push('gemini options must be a JSON object');
    else problems.push(`${formatPath(issue.path)}: ${friendly(issue)}`);
  }
  if (unknownFields.length > 0) problems.unshift(`unknown field${unknownFields.length > 1 ? 's' : ''} ${unknownFields.join(', ')}`);
  throw new PaddockError(ErrorCode.InvalidInput, `invalid gemini options: ${problems.join('; ')}`, {
    hint: `accepted fields: ${GEMINI_OPTION_FIELDS.join(', ')}`,
    details: { problems },
  });
}
