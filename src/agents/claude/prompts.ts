/**
 * Prompt templates per task type (after stackai's spawn skill): the user's task, framed for a headless agent that
 * works alone on a private checkout of one branch. The task text is kept verbatim.
 */
import { invalidInput } from '../../errors/index.ts';

export const PROMPT_TYPES = ['feature', 'test', 'mutation', 'explore'] as const;
export type PromptType = (typeof PROMPT_TYPES)[number];

export interface PromptContext {
  /** The run's branch, checked out in the working directory. */
  branch: string;
  /** What the branch started from (a branch name or a commit). */
  base: string;
  /** A persistent run: the user may answer after each turn. */
  persistent?: boolean;
}

function setting(ctx: PromptContext): string {
  return [
    `You are working alone and headless in a private checkout of this repository, on branch \`${ctx.branch}\` (started from \`${ctx.base}\`).`,
    ctx.persistent
      ? 'Within a turn nobody answers questions: make reasonable decisions and state them in your answer. After each answer the user may send you a further message.'
      : 'Nobody will answer questions while you work: make reasonable decisions and state them in your final message.',

    'There is no network access except to the model.',
  ].join('\n');
}

const TEMPLATES: Readonly<Record<PromptType, (task: string, ctx: PromptContext) => string>> = {
  feature: (task, ctx) => `${setting(ctx)}

Your task: implement the following.

${task}

How to work:
- Read the relevant code first and follow the conventions you find.
- Keep the change focused on the task. Add or update tests for what you change.
- Run the existing tests (and the type checker or linter if the project has one) and keep them passing.
- Commit your work on \`${ctx.branch}\` with a clear message: a short summary line, then what changed and why.
- End with a short summary: what you changed, how you checked it, anything left open.`,

  test: (task, ctx) => `${setting(ctx)}

Your task: write tests for the following.

${task}

How to work:
- Read the code under test and the existing tests first; follow their style and framework.
- Cover behaviour, edge cases and error paths. Do not change the behaviour of the code under test: if you find a
  bug, write a test that shows it, mark it as expected to fail if the framework allows, and report it.
- Run the whole test suite and make sure your new tests pass (except ones you marked as showing a bug).
- Commit the tests on \`${ctx.branch}\` with a clear message.
- End with a short summary: what you covered, what you found, what is still untested.`,

  mutation: (task, ctx) => `${setting(ctx)}

Your task: mutation-test the following.

${task}

How to work:
- Find the tests that cover this code and run them once to see they pass.
- Introduce small deliberate mutations into the code under test, one at a time (flip a condition, change a
  boundary, drop a call, return a different value), and run the relevant tests after each one.
- Record for every mutation whether the tests caught it (killed) or not (survived).
- Revert every mutation: when you finish, the code under test must be exactly as it was (check with \`git diff\`).
  Do not commit any mutated code.
- End with a report: each mutation (file, line, what changed), killed or survived, and for each survivor the test
  that would catch it.`,

  explore: (task, ctx) => `${setting(ctx)}

Your task: investigate the following. This is read-only.

${task}

How to work:
- Read code, search, and run read-only commands (tests and builds are fine if they change nothing tracked).
- Do not modify, create or delete files in the repository and do not commit: nothing from this run is kept.
- End with your findings: what you looked at, what you found (with file paths and line numbers), and what you
  would recommend.`,
};

/** The prompt for a task of this type. */
export function buildPrompt(type: PromptType, task: string, ctx: PromptContext): string {
  const template = TEMPLATES[type];
  if (template === undefined) throw invalidInput(`unknown task type "${String(type)}"`, `use one of ${PROMPT_TYPES.join(', ')}`);
  return template(task, ctx);
}
