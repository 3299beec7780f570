import { buildAgentImage } from '../images/index.ts';
import type { Paddock } from './context.ts';
import { missingToolboxSources } from '../images/toolbox.ts';
import { prepareToolbox } from './toolbox.ts';

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
      geminiCliVersion: p.config.geminiCliVersion,
      codexVersion: p.config.codexVersion,
      cacheDir: p.config.cacheDir,
      force: opts.force ?? false,
    },
    onProgress,
  );
  // The toolbox for images other than Paddock's (app/toolbox.ts): made here rather than at a first run's start.
  if (missingToolboxSources().length === 0) await prepareToolbox(p, onProgress);
  else onProgress(`toolbox not prepared (${missingToolboxSources().join(', ')} missing): only Paddock's own images can run agents; \`npm run up\` installs them`);
  return { tag, built };
}
