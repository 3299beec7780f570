/**
 * Who may connect to a socket Paddock serves a run on (its model relay, its input, its egress proxy): the run's own
 * container identity and no one else. The socket goes to the owner of the directory it is in (prepareRun hands a run's
 * relay directory, 0700, to the run's UID) with mode 0600: connecting to a unix socket needs write permission on it, so
 * no other host user (and no other run) can, and root (the daemon) always can.
 */
import { chmodSync, chownSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export function restrictSocket(socketPath: string): void {
  const dir = statSync(dirname(socketPath));
  if ((process.getuid?.() ?? 0) === 0) chownSync(socketPath, dir.uid, dir.gid);
  chmodSync(socketPath, 0o600);
}
