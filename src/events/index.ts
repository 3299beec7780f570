export { EventLog } from './event-log.ts';
export type { EventSource, IngestLine, PaddockEvent, StoredEvent } from './event-log.ts';
