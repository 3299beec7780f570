/**
 * Notifications (docs/projects.md#notifications): when a run of a project completes, fails, stalls, waits for input
 * or spends its budget, the daemon writes a JSON file into $PADDOCK_HOME/notifications and shows a desktop
 * notification (notify-send), as the project's settings say; the project's webhookUrl becomes the run's webhook at
 * spawn (delivered by the webhook dispatcher). Runs without a project notify nobody. Heard from the event log of this
 * process: a state change stored while no daemon ran is not notified later.
 */
import type { StoredEvent } from '../../events/index.ts';
import type { Paddock } from '../context.ts';
import { notificationsOf, projectsRepo, runProfiles } from '../projects.ts';
import { classify, plainText } from './classify.ts';
import { findNotifySend, notifySendArgs, showDesktop } from './desktop.ts';
import { type NotificationFile, notificationsDir, writeNotification } from './folder.ts';

export { classify, NOTIFICATION_EVENTS, plainText, URGENCIES } from './classify.ts';
export type { NotificationEvent, Urgency } from './classify.ts';
export { notificationsDir } from './folder.ts';
export type { NotificationFile } from './folder.ts';
export { findNotifySend, notifySendArgs } from './desktop.ts';

export interface NotifierLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const TITLES: Record<NotificationFile['event'], string> = {
  completed: 'completed',
  failed: 'failed',
  budget_exceeded: 'exceeded its budget',
  timed_out: 'timed out',
  crashed: 'crashed',
  stalled: 'stalled (no output)',
  waiting_for_input: 'is waiting for a message',
};

export class Notifier {
  private readonly p: Paddock;
  private readonly log: NotifierLog | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(p: Paddock, opts: { log?: NotifierLog } = {}) {
    this.p = p;
    this.log = opts.log;
  }

  start(): void {
    this.unsubscribe ??= this.p.events.onAny((e) => {
      if (e.kind !== 'state') return;
      try {
        this.handle(e);
      } catch (err) {
        this.log?.warn({ runId: e.runId, err: String(err) }, 'notification: could not be made');
      }
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.allSettled([...this.pending]);
  }

  private handle(e: StoredEvent): void {
    const c = classify(String(e.data.to), e.data.reason as string | null | undefined);
    if (!c) return;
    const profile = runProfiles(this.p).get(e.runId);
    if (!profile.project) return;
    const project = projectsRepo(this.p).get(profile.project);
    if (!project) return; // removed since: its runs notify nobody
    const settings = notificationsOf(project.spec);
    if (!settings.folder && !settings.desktop) return;
    const run = this.p.runs.get(e.runId);
    if (!run) return;
    const reason = typeof e.data.reason === 'string' ? plainText(e.data.reason, 500) : null;
    const title = `Paddock: run ${run.id} (${project.name}${profile.persona ? `, ${profile.persona}` : ''}) ${TITLES[c.event]}`;
    const message = plainText(`${reason ? `${reason} · ` : ''}${run.task}`, 300);
    const n: NotificationFile = {
      version: 1,
      id: `${e.ts}-${run.id}-${c.event}`,
      urgency: c.urgency,
      event: c.event,
      runId: run.id,
      project: project.name,
      persona: profile.persona,
      state: String(e.data.to),
      reason,
      title,
      message,
      branch: run.branch,
      repo: run.repo,
      createdAt: new Date(e.ts).toISOString(),
    };
    if (settings.folder) {
      const file = writeNotification(notificationsDir(this.p.config.home), n);
      this.log?.info({ runId: run.id, file, urgency: c.urgency }, 'notification written');
    }
    if (settings.desktop) {
      const program = findNotifySend();
      if (!program) return;
      const shown = showDesktop(program, notifySendArgs(c.urgency, title, message)).then((err) => {
        if (err) this.log?.warn({ runId: run.id, err: String(err) }, 'notification: notify-send failed');
      });
      this.pending.add(shown);
      void shown.finally(() => this.pending.delete(shown));
    }
  }
}
