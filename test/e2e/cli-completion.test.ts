import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.ts';
import { BIN } from './harness.ts';

const pexec = promisify(execFile);
const has = (shell: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`]);
    return true;
  } catch {
    return false;
  }
};

/** The real CLI, in a fresh home (completion touches no state). */
async function paddock(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await pexec(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: home, PADDOCK_HOME: join(home, 'ph'), NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Every verb path and its long options, from the program tree itself. */
function verbs(cmd: Command, path: string[] = []): { path: string[]; longs: string[] }[] {
  return cmd.commands.flatMap((c) => [{ path: [...path, c.name()], longs: c.options.map((o) => o.long!).filter(Boolean) }, ...verbs(c, [...path, c.name()])]);
}

describe('paddock completion bash|zsh|fish', () => {
  const home = mkdtempSync(join(tmpdir(), 'paddock-completion-'));
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(BIN, join(bin, 'paddock'));
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: home, PADDOCK_HOME: join(home, 'ph') };
  // Completing a run id runs `paddock ls`, which starts this home's daemon: stop it, then remove the home.
  after(async () => {
    await pexec(process.execPath, [BIN, 'daemon', 'stop'], { env }).catch(() => {});
    rmSync(home, { recursive: true, force: true });
  });

  it('prints a script for each shell that names every verb and option of the program, with install instructions in --help', async () => {
    const all = verbs(buildProgram());
    assert.ok(all.some((v) => v.path.join(' ') === 'image build') && all.some((v) => v.path[0] === 'rm'));
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await paddock(['completion', shell], home);
      assert.equal(r.code, 0, r.stderr);
      for (const v of all) {
        assert.ok(r.stdout.includes(v.path.at(-1)!), `${shell}: verb ${v.path.join(' ')}`);
        for (const l of v.longs) assert.ok(r.stdout.includes(shell === 'fish' ? `-l ${l.slice(2)}` : l), `${shell}: ${v.path.join(' ')} ${l}`);
      }
    }
    const help = await paddock(['completion', '--help'], home);
    assert.match(help.stdout, /completions\/paddock/);
    assert.match(help.stdout, /Examples:/);
    const bad = await paddock(['completion', 'powershell'], home);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bash, zsh, fish/);
  });

  it('bash: completes verbs, nested verbs, options, option values and directories', async () => {
    const script = (await paddock(['completion', 'bash'], home)).stdout;
    writeFileSync(join(home, 'c.bash'), script);
    const complete = async (...words: string[]) => {
      const cmd = `source ${join(home, 'c.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _paddock; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await pexec('bash', ['-c', cmd], { env, cwd: home })).stdout.split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(await complete('paddock', 'sp'), ['spawn']);
    assert.deepEqual(await complete('paddock', 'r'), ['resume', 'rm']);
    assert.deepEqual(await complete('paddock', 'image', ''), ['build', 'create', 'help', 'ls', 'pull', 'rm', 'search', 'show']);
    assert.deepEqual(await complete('paddock', 'image', 'build', '--f'), ['--force']);
    assert.deepEqual(await complete('paddock', 'spawn', '--type', ''), ['explore', 'feature', 'mutation', 'test']);
    assert.deepEqual(await complete('paddock', 'spawn', '--repo', 'bi'), ['bin'], 'a directory for --repo');
    assert.deepEqual(await complete('paddock', 'gc', '--'), ['--dry-run', '--help', '--json', '--merged', '--older-than', '--sessions']);
    assert.deepEqual(await complete('paddock', 'logs', '--after', '3', '-'), ['--after', '--follow', '--help', '--json', '--no-timestamps', '--timestamps', '-f', '-h']);
    assert.deepEqual(await complete('paddock', 'completion', ''), ['bash', 'fish', 'zsh']);
    assert.deepEqual(await complete('paddock', 'status', ''), [], 'no runs yet: no ids');
  });

  it('zsh: the script loads and completes verbs, nested verbs and option values', { skip: has('zsh') ? false : 'zsh is not installed' }, async () => {
    const fpath = join(home, 'zfunc');
    mkdirSync(fpath, { recursive: true });
    writeFileSync(join(fpath, '_paddock'), (await paddock(['completion', 'zsh'], home)).stdout);
    await pexec('zsh', ['-n', join(fpath, '_paddock')]);
    // Drive a real interactive zsh in a pseudo-terminal (zpty), press Tab, and record what compadd was given.
    const capture = join(home, 'capture.zsh');
    writeFileSync(
      capture,
      [
        'zmodload zsh/zpty',
        'zpty z zsh -f -i',
        `zpty -w z "PS1=''; fpath=(${fpath} \\$fpath); autoload -U compinit; compinit -u -D"`,
        `zpty -w z 'compadd() { builtin compadd -O __hits "$@"; print -l -- ">>"\${^__hits} }'`,
        `zpty -w z 'comppostfuncs=(__done); __done() { print -- "<<""END" }'`,
        `zpty -w z 'bindkey "^I" complete-word'`,
        `zpty -w z "$*"$'\\t'`,
        `zpty -r z out '*<<END*'`,
        `print -r -- "$out" | tr -d '\\r' | grep -ao '>>[^>]*$' | sed 's/^>>//' | grep -v '__hits'`,
        'zpty -d z',
      ].join('\n'),
    );
    const complete = async (line: string) => [...new Set((await pexec('zsh', [capture, line], { env, timeout: 30_000 })).stdout.split('\n').filter(Boolean))].sort();
    assert.deepEqual(await complete('paddock sp'), ['spawn']);
    assert.deepEqual(await complete('paddock image '), ['build', 'create', 'help', 'ls', 'pull', 'rm', 'search', 'show']);
    assert.deepEqual(await complete('paddock spawn --type '), ['explore', 'feature', 'mutation', 'test']);
    assert.deepEqual(await complete('paddock completion '), ['bash', 'fish', 'zsh']);
    assert.ok((await complete('paddock gc --')).includes('--older-than'));
  });

  it('fish: the script loads and completes verbs, nested verbs and option values', { skip: has('fish') ? false : 'fish is not installed' }, async () => {
    const file = join(home, 'paddock.fish');
    writeFileSync(file, (await paddock(['completion', 'fish'], home)).stdout);
    await pexec('fish', ['-n', file]);
    const complete = async (line: string) =>
      (await pexec('fish', ['-c', `source ${file}; complete -C '${line}'`], { env })).stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]!)
        .sort();
    assert.deepEqual(await complete('paddock sp'), ['spawn']);
    assert.deepEqual(await complete('paddock image '), ['build', 'create', 'help', 'ls', 'pull', 'rm', 'search', 'show']);
    assert.deepEqual(await complete('paddock spawn --type '), ['explore', 'feature', 'mutation', 'test']);
    assert.deepEqual(await complete('paddock completion '), ['bash', 'fish', 'zsh']);
    assert.ok((await complete('paddock rm --')).includes('--branch'));
  });
});
