export { EventLog } from './event-log.ts';
export type { EventSource, HookTag, IngestLine, PaddockEvent, StoredEvent } from './event-log.ts';
export { OUTPUT_CAP_NOTE, OutputBudget } from './output-budget.ts';
export type { OutputCaps } from './output-budget.ts';
