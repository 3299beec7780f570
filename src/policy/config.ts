/**
 * The policy's settings as the config schema reads them (PADDOCK_MOUNT_ALLOW, PADDOCK_IMAGE_ALLOW, PADDOCK_REPO_ALLOW):
 * each parser throws on a bad value, and the schema turns that into a start-up failure naming the key.
 */
import { isAbsolute, posix } from 'node:path';
import { invalidInput } from '../errors/index.ts';
import { compileGlob, globProblem, hasWildcard } from './glob.ts';

/** A host directory (and everything under it) that may be mounted into runs; read-write only when rw. */
export interface MountRule {
  prefix: string;
  rw: boolean;
}

/** An allowlist of globs, kept with its source text (refusals name the setting and its patterns). */
export interface GlobRule {
  pattern: string;
  re: RegExp;
}

const items = (v: string | string[]): string[] => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);

/** `PATH`, `PATH:ro` or `PATH:rw`, comma-separated; PATH absolute, no wildcards. Empty: no extra mount at all. */
export function parseMountAllow(v: string | string[], key = 'PADDOCK_MOUNT_ALLOW'): MountRule[] {
  return items(v).map((item) => {
    const m = /^(.*?)(?::(ro|rw))?$/.exec(item)!;
    const path = m[1] ?? '';
    if (!isAbsolute(path)) throw invalidInput(`${key}: "${item}" is not an absolute path`, 'list absolute host directories, each optionally :ro or :rw, comma-separated');
    if (hasWildcard(path) || /[:\0\n]/.test(path)) throw invalidInput(`${key}: "${item}" is not a plain path (no wildcards, no ':' but the :ro/:rw suffix)`);
    if (path.split('/').includes('..')) throw invalidInput(`${key}: "${item}" contains "..": write the directory itself`);
    return { prefix: stripSlash(posix.normalize(path)), rw: m[2] === 'rw' };
  });
}

/** Image globs, comma-separated (e.g. localhost/paddock-*, docker.io/library/node:*). */
export function parseImageAllow(v: string | string[], key = 'PADDOCK_IMAGE_ALLOW'): GlobRule[] {
  return items(v).map((pattern) => {
    const problem = globProblem(pattern);
    if (problem) throw invalidInput(`${key}: ${problem}`);
    return { pattern, re: compileGlob(pattern) };
  });
}

/** Repository path prefixes (absolute, globs allowed in them), comma-separated: a repo at or under one is allowed. */
export function parseRepoAllow(v: string | string[], key = 'PADDOCK_REPO_ALLOW'): GlobRule[] {
  return items(v).map((pattern) => {
    if (!isAbsolute(pattern)) throw invalidInput(`${key}: "${pattern}" is not an absolute path`, 'list absolute directories (globs allowed), comma-separated; / allows any');
    const problem = globProblem(pattern);
    if (problem) throw invalidInput(`${key}: ${problem}`);
    if (pattern.split('/').includes('..')) throw invalidInput(`${key}: "${pattern}" contains ".."`);
    const p = stripSlash(posix.normalize(pattern));
    // At the prefix or anywhere under it.
    return { pattern: p, re: p === '/' ? /^\// : new RegExp(`${compileGlob(p).source.slice(0, -1)}(?:/.*)?$`) };
  });
}

export const stripSlash = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);
