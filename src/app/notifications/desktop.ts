/**
 * Desktop notifications through `notify-send` (libnotify), where the daemon finds it on its PATH. Spawned without a
 * shell, every value its own argv element after `--`; the text is plain (control characters dropped, bounded) and its
 * markup characters escaped (notification servers may render a body's <b>…</b>).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Urgency } from './classify.ts';

/** notify-send on this PATH, or undefined. */
export function findNotifySend(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir.startsWith('/')) continue; // a relative PATH entry would depend on the daemon's working directory
    const candidate = join(dir, 'notify-send');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const escapeMarkup = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The argv (after the program) for one notification. title and body are plain text already. */
export function notifySendArgs(urgency: Urgency, title: string, body: string): string[] {
  const level = urgency === 'error' ? 'critical' : 'normal';
  return ['--app-name=Paddock', `--urgency=${level}`, `--category=paddock.${urgency}`, '--', escapeMarkup(title), escapeMarkup(body)];
}

/** Shows it; resolves when notify-send is done (errors are reported, never thrown: a notification is best effort). */
export function showDesktop(program: string, args: string[]): Promise<Error | undefined> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 5000, windowsHide: true, maxBuffer: 64 * 1024 }, (err) => resolve(err ?? undefined));
  });
}
