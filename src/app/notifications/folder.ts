/**
 * The notifications folder ($PADDOCK_HOME/notifications): one JSON file per notification, for host watchers
 * (ai-agents-sandbox's mounted-folder scheme: `inotifywait -m -e moved_to`). A file appears whole (written beside it
 * under a dot name, then renamed into place), and its name is made only of the time, the run id and the event name,
 * never of anything an agent wrote.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NotificationEvent, Urgency } from './classify.ts';

export interface NotificationFile {
  version: 1;
  /** Unique: <ms>-<run id>-<event>, also the file's name without .json. */
  id: string;
  urgency: Urgency;
  event: NotificationEvent;
  runId: string;
  project: string;
  persona: string | null;
  state: string;
  reason: string | null;
  title: string;
  message: string;
  branch: string;
  repo: string;
  createdAt: string;
}

export const notificationsDir = (home: string): string => join(home, 'notifications');

/** Writes the file atomically; returns its path. */
export function writeNotification(dir: string, n: NotificationFile): string {
  if (!/^[0-9]+-[0-9a-f]{4,32}-[a-z_]+$/.test(n.id)) throw new Error(`notification id ${JSON.stringify(n.id)} is not <ms>-<run id>-<event>`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${n.id}.json`);
  const tmp = join(dir, `.${n.id}.json.tmp`);
  writeFileSync(tmp, `${JSON.stringify(n, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}
