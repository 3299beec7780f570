/** The stack images Paddock ships (images/<stack>/Containerfile). No imports: thin clients (the CLI) read it too. */
export const STACKS = ['node', 'python', 'go', 'rust', 'browser'] as const;
export type Stack = (typeof STACKS)[number];
/** What `image create --from` takes: a stack, or `base` for the agent image itself. */
export type StackOrBase = Stack | 'base';
