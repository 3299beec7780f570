import { buildAgentImage } from '../images/index.ts';
import type { Paddock } from './context.ts';

/** Builds the agent image unless it is up to date (force rebuilds). Returns its tag and whether it was built. */
export async function buildImage(p: Paddock, onProgress: (line: string) => void, opts: { tag?: string; force?: boolean } = {}): Promise<{ tag: string; built: boolean }> {
  const runtime = await p.runtime();
  const tag = opts.tag ?? p.config.image;
  const built = await buildAgentImage(
    runtime,
    {
      tag,
      baseImage: p.config.baseImage,
      claudeCodeVersion: p.config.claudeCodeVersion,
      cacheDir: p.config.cacheDir,
      force: opts.force ?? false,
    },
    onProgress,
  );
  return { tag, built };
}
