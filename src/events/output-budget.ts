/**
 * How much of a run's output is stored: at most maxLines events from its output and maxChars characters of them. Past
 * either, lines are still counted (the stream's line counters move on, so a re-read stores nothing twice) but dropped,
 * with one note saying so; the agent's result event alone is still stored, so the run's outcome stays right.
 */
import type { EventLog } from './event-log.ts';

export interface OutputCaps {
  /** Output events stored per run. */
  maxLines: number;
  /** Characters of output stored per run. */
  maxChars: number;
}

export const OUTPUT_CAP_NOTE = 'output cap reached';

export class OutputBudget {
  private lines: number;
  private chars: number;
  private noted: boolean;
  private readonly caps: OutputCaps;
  /** Lines dropped by this budget (this supervision). */
  dropped = 0;

  constructor(events: EventLog, runId: string, caps: OutputCaps) {
    const stored = events.storedOutput(runId);
    this.lines = stored.lines;
    this.chars = stored.chars;
    this.noted = events.hasNote(runId, OUTPUT_CAP_NOTE);
    this.caps = caps;
  }

  /** Whether a line of this many characters may be stored; it is counted if so. */
  admit(chars: number): boolean {
    if (this.lines + 1 > this.caps.maxLines || this.chars + chars > this.caps.maxChars) {
      this.dropped++;
      return false;
    }
    this.lines++;
    this.chars += chars;
    return true;
  }

  /** The note to store the first time a line is dropped (once per run, across supervisors), else undefined. */
  takeNote(): string | undefined {
    if (this.noted || this.dropped === 0) return undefined;
    this.noted = true;
    return `${OUTPUT_CAP_NOTE}: ${this.lines} lines and ${this.chars} characters stored (limits ${this.caps.maxLines} lines, ${this.caps.maxChars} characters); further output is counted and dropped`;
  }
}
