/** The known-good `.git/config` of a run clone, and writing files into a clone without following anything an agent planted. */
import fs from 'node:fs/promises';
import path from 'node:path';

/** Identity the agent commits under inside its container. */
export const AGENT_IDENTITY = { name: 'Paddock agent', email: 'agent@paddock.invalid' } as const;
/** Identity of the commit Paddock makes of whatever the agent left uncommitted. */
export const PADDOCK_IDENTITY = { name: 'Paddock', email: 'paddock@paddock.invalid' } as const;

/**
 * No remotes, no includes, no drivers, no hooks, no fsmonitor, no auto gc: just enough for the agent to
 * commit. Written fresh at creation and again at finalize, whatever the agent turned the file into.
 */
export function knownGoodConfig(objectFormat: 'sha1' | 'sha256'): string {
  const lines = [
    '[core]',
    `\trepositoryformatversion = ${objectFormat === 'sha256' ? 1 : 0}`,
    '\tfilemode = true',
    '\tbare = false',
    '\tlogallrefupdates = true',
    '\thooksPath = /dev/null',
    '\tfsmonitor = false',
    '[gc]',
    '\tauto = 0',
    '[maintenance]',
    '\tauto = false',
    '[user]',
    `\tname = ${AGENT_IDENTITY.name}`,
    `\temail = ${AGENT_IDENTITY.email}`,
  ];
  if (objectFormat === 'sha256') lines.push('[extensions]', '\tobjectformat = sha256');
  return `${lines.join('\n')}\n`;
}

/**
 * Replaces whatever is at `file` (a file, a symlink, a FIFO, a directory) with a new regular file.
 * The old entry is removed, never opened or followed, and the new one is created exclusively.
 */
export async function writeFresh(file: string, content: string, mode = 0o644): Promise<void> {
  await fs.rm(file, { recursive: true, force: true });
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content, { flag: 'wx', mode });
}
