import { openPaddock, type Paddock } from '../app/index.ts';

let opened: Paddock | undefined;
/** Opens Paddock on first use, so `--help` and bad flags never touch state. */
export function paddock(): Paddock {
  // Without a daemon, every run gets a detached supervisor process that outlives this command.
  opened ??= openPaddock(undefined, { supervision: 'detached' });
  return opened;
}
export async function closePaddock(): Promise<void> {
  await opened?.close();
  opened = undefined;
}

export const out = (line = ''): void => void process.stdout.write(`${line}\n`);
export const info = (line = ''): void => void process.stderr.write(`${line}\n`);
