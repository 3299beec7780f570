/** Size on disk of a directory tree, like `du -s -B1`: allocated blocks, each hard-linked file once, symlinks not followed. */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function diskUsage(path: string): Promise<number> {
  const seen = new Set<string>();
  const walk = async (p: string): Promise<number> => {
    const st = await lstat(p).catch(() => undefined);
    if (!st) return 0;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return 0;
    seen.add(key);
    let n = st.blocks * 512;
    if (st.isDirectory()) {
      const names = await readdir(p).catch(() => [] as string[]);
      for (const name of names) n += await walk(join(p, name));
    }
    return n;
  };
  return walk(path);
}
