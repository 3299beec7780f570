/** Images and repositories a run may use: each must match an allowlist (PADDOCK_IMAGE_ALLOW, PADDOCK_REPO_ALLOW). */
import { realpathSync } from 'node:fs';
import type { GlobRule } from './config.ts';
import { refused } from './refusal.ts';

/** The image as given, or with :latest when it names no tag or digest (what the engine resolves it to). */
function imageForms(image: string): string[] {
  const last = image.slice(image.lastIndexOf('/') + 1);
  return last.includes(':') || last.includes('@') ? [image] : [image, `${image}:latest`];
}

export function checkImage(image: string, rules: readonly GlobRule[]): void {
  if (imageForms(image).some((form) => rules.some((r) => r.re.test(form)))) return;
  throw refused(
    'PADDOCK_IMAGE_ALLOW',
    `image ${image.slice(0, 200)} is not on the image allowlist (${rules.map((r) => r.pattern).join(', ') || 'empty'})`,
    'leave the image out to use the default agent image, or ask the operator to allow it in PADDOCK_IMAGE_ALLOW',
    { image },
  );
}

/** repo: the repository's (or mounted directory's) path; checked as it really is (symlinks resolved). */
export function checkRepo(repo: string, rules: readonly GlobRule[]): void {
  let real = repo;
  try {
    real = realpathSync(repo);
  } catch {
    // Checked as given; whatever opens it next says it is not there.
  }
  if (rules.some((r) => r.re.test(real))) return;
  throw refused(
    'PADDOCK_REPO_ALLOW',
    `repository ${real.slice(0, 300)} is under none of the allowed directories (${rules.map((r) => r.pattern).join(', ') || 'none'})`,
    'work on a repository under one of them, or ask the operator to allow it',
    {
      repo: real,
    },
  );
}
