/**
 * Which state changes of a run are worth telling a person about, and how urgent they are (ai-agents-sandbox's
 * levels): complete (the run completed), error (it failed, timed out, crashed, stalled or spent its budget),
 * clarification (a persistent run waits for a message). A cancelled run is not notified: a person stopped it.
 */
export const URGENCIES = ['error', 'complete', 'clarification'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const NOTIFICATION_EVENTS = ['completed', 'failed', 'budget_exceeded', 'timed_out', 'crashed', 'stalled', 'waiting_for_input'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface Classified {
  event: NotificationEvent;
  urgency: Urgency;
}

/** The notification for a state change (to, with its reason), or undefined when there is none. */
export function classify(to: string, reason: string | null | undefined): Classified | undefined {
  switch (to) {
    case 'completed':
      return { event: 'completed', urgency: 'complete' };
    case 'failed':
      return { event: /budget.exceeded/i.test(reason ?? '') ? 'budget_exceeded' : 'failed', urgency: 'error' };
    case 'timed_out':
      return { event: 'timed_out', urgency: 'error' };
    case 'crashed':
      return { event: 'crashed', urgency: 'error' };
    case 'stalled':
      return { event: 'stalled', urgency: 'error' };
    case 'idle':
      return { event: 'waiting_for_input', urgency: 'clarification' };
    default:
      return undefined;
  }
}

/**
 * Text from a run (its task, its reason: the agent may have written either) made harmless for a notification: control
 * and format characters dropped, whitespace folded, bounded to max characters.
 */
export function plainText(text: string, max: number): string {
  const flat = text
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
