import { buildAgentImage } from '../images/index.ts';
import type { Paddock } from './context.ts';

/** Builds (or rebuilds) the default agent image; progress lines go to onProgress. */
export async function buildImage(p: Paddock, onProgress: (line: string) => void, opts: { tag?: string } = {}): Promise<string> {
  const runtime = await p.runtime();
  const tag = opts.tag ?? p.config.image;
  await buildAgentImage(runtime, {
    tag, baseImage: p.config.baseImage, claudeCodeVersion: p.config.claudeCodeVersion, cacheDir: p.config.cacheDir, instance: p.instance,
  }, onProgress);
  return tag;
}
