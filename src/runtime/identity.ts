/**
 * Who the agent is inside its container: a UID and GID of its own (store/run-identities-repo.ts allocates them from a
 * range with no host account, different for every live run), named `agent` with HOME /home/agent by a passwd and a
 * group file Paddock writes into the run's directory and binds read-only over the image's (the CLI, git and ssh look
 * the user up; an unknown UID makes some of them fail).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgentIdentity {
  uid: number;
  gid: number;
  /** Host paths of the generated files, bound at /etc/passwd and /etc/group. */
  passwdFile: string;
  groupFile: string;
}

/** Writes `<dir>/passwd` and `<dir>/group` for the given UID and GID (root-owned, 0644) and returns the identity. */
export function writeIdentityFiles(dir: string, uid: number, gid: number, home: string): AgentIdentity {
  if (!Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid) || gid <= 0) throw new Error(`invalid agent identity ${uid}:${gid}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const passwdFile = join(dir, 'passwd');
  const groupFile = join(dir, 'group');
  writeFileSync(
    passwdFile,
    ['root:x:0:0:root:/root:/usr/sbin/nologin', 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin', `agent:x:${uid}:${gid}:Paddock agent:${home}:/bin/bash`, ''].join('\n'),
    { mode: 0o644 },
  );
  writeFileSync(groupFile, ['root:x:0:', 'nogroup:x:65534:', `agent:x:${gid}:`, ''].join('\n'), { mode: 0o644 });
  return { uid, gid, passwdFile, groupFile };
}
