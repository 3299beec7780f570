/**
 * The globs of Paddock's allowlists: `*` matches any run of characters but `/`, `**` matches anything (slashes too),
 * `?` one character but `/`. Nothing else is special, and only the characters names and paths use are accepted, so a
 * pattern means what it looks like (a typo is refused at start, not silently matching nothing or everything).
 */

/** The characters a pattern may hold: image references (registry/name:tag@digest) and absolute paths. */
const PATTERN = /^[A-Za-z0-9._\-/:@*?+~]+$/;

/** Why the pattern is not one, or undefined when it is. */
export function globProblem(pattern: string): string | undefined {
  if (pattern === '') return 'an empty pattern';
  if (!PATTERN.test(pattern)) return `"${pattern}" holds a character a pattern cannot (use letters, digits, . _ - / : @ + ~ and the wildcards * ** ?)`;
  if (/\*\*\*/.test(pattern)) return `"${pattern}": *** is not a wildcard (* is one path segment, ** anything)`;
  return undefined;
}

export function compileGlob(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export const hasWildcard = (pattern: string): boolean => /[*?]/.test(pattern);
