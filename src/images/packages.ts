/**
 * Package names for `image create` (--apt, --npm, --pip). They go into an image build that runs as root, so they are
 * hostile input: each must be a plain package name (with an optional version), never an option, a path, a URL, a git
 * reference or anything a shell would read. The install script gets them as exec-form arguments (no shell parses
 * them), and this check is what keeps them package names.
 */
import { ErrorCode, PaddockError } from '../errors/index.ts';

export type PackageKind = 'apt' | 'npm' | 'pip';

/** At most this many packages of one kind in one image. */
export const MAX_PACKAGES = 64;

/**
 * Debian policy: a name is lower case letters, digits, + - . and starts with a letter or digit, two characters or more;
 * a version after '=' has digits, letters and . + ~ : - (an epoch, upstream version, Debian revision).
 */
const APT = /^[a-z0-9][a-z0-9+.-]{1,99}(?:=[A-Za-z0-9][A-Za-z0-9.+~:-]{0,99})?$/;

/**
 * npm: an optional @scope/, a name of lower case letters, digits and . _ - (npm's rules for new packages), an optional
 * @version or @tag made of safe characters (no '/' ':' so no git, file, http or alias specs; no spaces or shell
 * characters).
 */
const NPM = /^(?:@[a-z0-9][a-z0-9._-]{0,99}\/)?[a-z0-9][a-z0-9._-]{0,213}(?:@[A-Za-z0-9.^~*_+-]{1,100})?$/;

/**
 * pip (PEP 508, names only): letters, digits and . _ -, starting and ending with a letter or digit; optional [extras];
 * optional version clauses with == >= <= ~= != < > (comma-separated). No URLs, paths, markers or options.
 */
const PIP_NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?';
const PIP_CLAUSE = '(?:===?|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!-]{1,64}';
const PIP = new RegExp(`^${PIP_NAME}(?:\\[${PIP_NAME}(?:,${PIP_NAME}){0,15}\\])?(?:${PIP_CLAUSE}(?:,${PIP_CLAUSE}){0,7})?$`);

const RULES: Record<PackageKind, { re: RegExp; example: string }> = {
  apt: { re: APT, example: 'jq, python3-yaml or jq=1.6-2.1' },
  npm: { re: NPM, example: 'typescript, @types/node or prettier@3' },
  pip: { re: PIP, example: 'requests, pyyaml==6.0.1 or uvicorn[standard]>=0.30' },
};

/** Checks and de-duplicates the packages of one kind; the first bad one is an INVALID_INPUT naming the flag and the value. */
export function checkPackages(kind: PackageKind, names: readonly string[]): string[] {
  if (names.length > MAX_PACKAGES) {
    throw new PaddockError(ErrorCode.InvalidInput, `${kind}: ${names.length} packages; at most ${MAX_PACKAGES} go into one image`, {
      hint: 'install fewer packages, or build your own image FROM a stack image',
    });
  }
  const rule = RULES[kind];
  const out: string[] = [];
  for (const name of names) {
    if (typeof name !== 'string' || !rule.re.test(name)) {
      const shown = JSON.stringify(String(name).slice(0, 80)).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
      throw new PaddockError(ErrorCode.InvalidInput, `${kind}: ${shown} is not ${kind === 'apt' ? 'an' : 'a'} ${kind} package name`, {
        hint: `give plain package names, such as ${rule.example} (no options, paths, URLs or git references)`,
      });
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
