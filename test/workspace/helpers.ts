/** Real git repositories in temp dirs, and byte-level snapshots of everything a run must never change. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const isRoot = process.getuid?.() === 0;

export function tempDir(prefix = 'paddock-ws-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  // The agent (UID 1000 in tests run as root) must be able to reach its clone.
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Plain git for the tests' own setup (not the code under test): no global/system config, fixed identity. */
export function sh(cwd: string, ...args: string[]): string {
  return run(cwd, args, false);
}

/** git as the agent inside its container would run it: as UID 1000 when we are root (the clone is owned by 1000 then). */
export function agentSh(cwd: string, ...args: string[]): string {
  return run(cwd, args, isRoot);
}

/** agentSh with bytes on stdin. */
export function agentShIn(cwd: string, input: string, ...args: string[]): string {
  return run(cwd, args, isRoot, input);
}

function run(cwd: string, args: string[], asAgent: boolean, input?: string): string {
  return execFileSync('git', args, {
    cwd,
    ...(input === undefined ? {} : { input }),
    ...(asAgent ? { uid: 1000, gid: 1000 } : {}),
    encoding: 'utf8',
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: asAgent ? '/tmp' : cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      // The agent commits under the identity in its clone's config; the user's test commits under a fixed one.
      ...(asAgent
        ? {}
        : {
            GIT_AUTHOR_NAME: 'User',
            GIT_AUTHOR_EMAIL: 'user@example.com',
            GIT_COMMITTER_NAME: 'User',
            GIT_COMMITTER_EMAIL: 'user@example.com',
            GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
            GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
          }),
    },
  });
}

export function write(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

export interface TestRepo {
  root: string;
  home: string;
  /** A directory for run dirs. */
  runs: string;
  base: string;
  cleanup(): void;
}

/** A repository on branch main with a few files, a tag, a second branch and a user hook, plus a Paddock home. */
export function makeRepo(files: Record<string, string> = { 'README.md': '# demo\n', 'src/app.ts': 'export const x = 1;\n', 'src/lib/util.ts': 'export const y = 2;\n' }): TestRepo {
  const top = tempDir();
  const root = path.join(top, 'repo');
  fs.mkdirSync(root);
  sh(root, 'init', '-q', '-b', 'main');
  for (const [name, content] of Object.entries(files)) write(path.join(root, name), content);
  sh(root, 'add', '-A');
  sh(root, 'commit', '-q', '-m', 'initial');
  sh(root, 'tag', 'v1');
  sh(root, 'branch', 'feature');
  // A user hook that must survive untouched (and never run).
  write(path.join(root, '.git/hooks/pre-commit'), '#!/bin/sh\nexit 0\n');
  fs.chmodSync(path.join(root, '.git/hooks/pre-commit'), 0o755);
  const home = path.join(top, 'home');
  const runs = path.join(top, 'runs');
  fs.mkdirSync(home);
  fs.mkdirSync(runs);
  return {
    root,
    home,
    runs,
    base: sh(root, 'rev-parse', 'HEAD').trim(),
    cleanup: () => fs.rmSync(top, { recursive: true, force: true }),
  };
}

function hashTree(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (skip(rel)) continue;
      const st = fs.lstatSync(p);
      if (e.isSymbolicLink()) out[rel] = `link:${fs.readlinkSync(p)}`;
      else if (e.isDirectory()) {
        out[rel] = `dir:${(st.mode & 0o7777).toString(8)}`;
        walk(p);
      } else out[rel] = `file:${(st.mode & 0o7777).toString(8)}:${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

export interface RepoSnapshot {
  refs: string;
  packedRefs: string | null;
  head: string;
  config: string;
  hooks: Record<string, string>;
  index: string | null;
  worktree: Record<string, string>;
  info: Record<string, string>;
  replaceRefs: boolean;
}

/** Everything about the user's repository that a run may not change (the run's own branch is left out of refs). */
export function snapshot(root: string, ignoreBranch?: string): RepoSnapshot {
  const git = path.join(root, '.git');
  const read = (p: string): string | null => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null);
  const refs = sh(root, 'for-each-ref', '--format=%(refname) %(objectname) %(symref)')
    .split('\n')
    .filter((l) => ignoreBranch === undefined || !l.startsWith(`refs/heads/${ignoreBranch} `))
    .join('\n');
  const packed = read(path.join(git, 'packed-refs'));
  return {
    refs,
    packedRefs: packed,
    head: fs.readFileSync(path.join(git, 'HEAD'), 'utf8'),
    config: fs.readFileSync(path.join(git, 'config'), 'utf8'),
    hooks: hashTree(path.join(git, 'hooks')),
    index: fs.existsSync(path.join(git, 'index'))
      ? createHash('sha256')
          .update(fs.readFileSync(path.join(git, 'index')))
          .digest('hex')
      : null,
    worktree: hashTree(root, (rel) => rel === '.git'),
    info: hashTree(path.join(git, 'info')),
    replaceRefs: fs.existsSync(path.join(git, 'refs', 'replace')),
  };
}

/** A marker-making script; returns the script path (chmod +x) and the marker it would create. */
export function markerScript(dir: string, name: string): { script: string; marker: string } {
  const marker = path.join(dir, `MARKER-${name}`);
  const script = path.join(dir, `evil-${name}.sh`);
  fs.writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\ncat >/dev/null 2>&1\nexit 0\n`, { mode: 0o755 });
  return { script, marker };
}

export function markersIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('MARKER-'));
}
