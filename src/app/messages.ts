/**
 * Persistent runs (keepAlive): the agent stays alive between turns and takes further messages. A message is stored
 * first (so a daemon restart loses none), then its run's supervisor gives it to the agent when the current turn has
 * ended; the input reader in the container acknowledges it, so none is delivered twice.
 */
import { parseDuration } from '../config/index.ts';
import { ErrorCode, PaddockError, invalidInput } from '../errors/index.ts';
import { closeInput, isTerminal, relayDirOf, type Run } from '../jobs/index.ts';
import type { Message, MessageState } from '../store/messages-repo.ts';
import type { AgentAdapter } from '../agents/types.ts';
import type { Config } from '../config/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';

/** The largest message accepted, in bytes of UTF-8 (the API's body limit is 1 MiB). */
export const MAX_MESSAGE_BYTES = 512 * 1024;

/** Why a message cannot go to a run: `details.reason` of the CONFLICT error (the Stromboli face maps it to a status). */
export type MessageRefusal = 'not-persistent' | 'ended' | 'closing';

export interface MessageView {
  seq: number;
  createdAt: number;
  state: MessageState;
  sentAt: number | null;
  deliveredAt: number | null;
  text: string;
}

export interface SendMessageResult {
  run: Run;
  message: MessageView;
  /** The agent is in a turn (or has messages before this one): it gets this one when those are answered. */
  queued: boolean;
}

/** Where a persistent run's conversation stands. */
export interface ConversationState {
  run: Run;
  /** Turns the agent has answered (result events). */
  turnsCompleted: number;
  /** The agent is in a turn, or has messages waiting: a new one would wait. */
  busy: boolean;
  /** Paddock closed the run's input (idle timeout, or stopped between turns): it is ending. */
  inputClosed: 'idle' | 'user' | null;
  /** When a message was last sent to the agent, or null. */
  lastSentAt: number | null;
}

const view = (m: Message): MessageView => ({ seq: m.seq, createdAt: m.createdAt, state: m.state, sentAt: m.sentAt, deliveredAt: m.deliveredAt, text: m.text });

function refuse(run: Run, reason: MessageRefusal): PaddockError {
  const why = {
    'not-persistent': [`run ${run.id} is not persistent: it took its one task and no further messages`, 'start a persistent run (keepAlive), or continue this one with resume'],
    ended: [`run ${run.id} has ended (${run.state}): it takes no more messages`, `continue its conversation with resume (paddock resume ${run.id})`],
    closing: [`run ${run.id} is ending: its input was closed`, `wait for it to end, then continue with resume (paddock resume ${run.id})`],
  }[reason];
  return new PaddockError(ErrorCode.Conflict, why[0] ?? reason, { hint: why[1], details: { reason, state: run.state } });
}

/**
 * Sends a persistent run a message: stored at once, given to the agent when its current turn has ended (at once when
 * it is idle). Refused (CONFLICT, details.reason) for a run that is not persistent, has ended, or is ending.
 */
export function sendMessage(p: Paddock, runId: string, text: string): SendMessageResult {
  const found = findRun(p, runId);
  if (typeof text !== 'string' || text.trim() === '') throw invalidInput('text is empty: say something to the agent');
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) throw invalidInput(`text is over ${MAX_MESSAGE_BYTES} bytes`, 'send a shorter message (or put the long part in a file of the repository)');
  if (!found.keepAlive) throw refuse(found, 'not-persistent');
  let before = { given: 0, pending: 0, answered: 0 };
  const message = p.messages.add(found.id, text, () => {
    // Checked in the write transaction that stores the message: the run cannot end or close in between.
    const run = p.runs.get(found.id) ?? found;
    if (isTerminal(run.state)) throw refuse(run, 'ended');
    if (p.messages.closure(run.id)) throw refuse(run, 'closing');
    before = p.messages.counts(run.id);
  });
  // An event wakes the run's supervisor in this process; one in another process finds the message within seconds.
  p.events.append(found.id, { kind: 'note', message: `message ${message.seq} received (${Buffer.byteLength(text)} bytes)` });
  const run = p.runs.get(found.id) ?? found;
  if (!p.host.isLiveOwner(run)) p.host.adoptOrphans(); // nobody supervising it: someone must deliver it
  return { run, message: view(message), queued: before.pending > 0 || before.given > before.answered };
}

/** A run's messages, oldest first, with their delivery state. */
export function listMessages(p: Paddock, runId: string): { run: Run; messages: MessageView[] } {
  const run = findRun(p, runId);
  return { run, messages: p.messages.list(run.id).map(view) };
}

export function conversationState(p: Paddock, runId: string): ConversationState {
  const run = findRun(p, runId);
  const c = p.messages.counts(run.id);
  return {
    run,
    turnsCompleted: c.answered,
    busy: c.pending > 0 || c.given > c.answered,
    inputClosed: p.messages.closure(run.id)?.reason ?? null,
    lastSentAt: p.messages.lastSentAt(run.id),
  };
}

/**
 * A stop of a persistent run between turns: its input is closed (the agent leaves as asked, its work is brought back
 * and it ends completed). Returns false when the run is not idle (then it is stopped like any run).
 */
export function closeIdleRun(p: Paddock, run: Run): boolean {
  if (!run.keepAlive) return false;
  if (p.messages.closure(run.id)) return true; // ending already: let it
  return closeInput({ messages: p.messages, events: p.events, relayDir: relayDirOf(run) }, run, 'user', () => {
    const now = p.runs.get(run.id);
    const c = p.messages.counts(run.id);
    return now?.state === 'idle' && c.pending === 0 && c.given <= c.answered;
  });
}

/**
 * What spawn records for keepAlive and idleTimeout: idleTimeoutMs is null for a run that is not persistent, 0 for
 * one that never ends for being idle.
 */
export function persistenceOf(
  req: { keepAlive: boolean; idleTimeout?: string | number | undefined },
  cfg: Config,
  adapter: AgentAdapter<unknown>,
): { keepAlive: boolean; idleTimeoutMs: number | null } {
  if (!req.keepAlive) {
    if (req.idleTimeout !== undefined) throw invalidInput('idleTimeout applies to persistent runs only', 'pass keepAlive too, or leave idleTimeout out');
    return { keepAlive: false, idleTimeoutMs: null };
  }
  if (!adapter.encodeMessage) throw invalidInput(`agent ${adapter.name} cannot be persistent (it takes no messages)`, 'leave keepAlive out');
  const v = req.idleTimeout;
  if (v === undefined) return { keepAlive: true, idleTimeoutMs: cfg.idleTimeout };
  if (v === 0 || (typeof v === 'string' && /^\s*(0|never|off|none)\s*$/i.test(v))) return { keepAlive: true, idleTimeoutMs: 0 };
  return { keepAlive: true, idleTimeoutMs: parseDuration(v, 'idleTimeout') };
}

/** The first turn of a persistent run goes through the same channel as every later one. */
export function queueFirstMessage(p: Paddock, run: Run): void {
  if (run.keepAlive) p.messages.add(run.id, run.prompt);
}
