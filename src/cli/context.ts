/** Where the CLI writes: results on stdout, progress and messages on stderr. */
export const out = (line = ''): void => void process.stdout.write(`${line}\n`);
export const info = (line = ''): void => void process.stderr.write(`${line}\n`);
