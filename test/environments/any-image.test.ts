/**
 * Any image is an agent environment (docs/images.md): a Debian image made with mmdebstrap and no agent tooling at all
 * (no claude, tini, socat, node, git) runs the real Claude Code CLI from Paddock's read-only toolbox, against the
 * scripted model; the agent uses the image's python3 through its Bash tool and the work comes back on the run's
 * branch. The same probe (ids, capabilities, no-new-privileges, seccomp, read-only root, no network, memory and PID
 * limits, mounts) reads the same in that image and in Paddock's own, on Podman and on Docker. An Alpine-like image
 * (the musl loader, a musl-linked program and a static busybox: no glibc anywhere) runs the agent too, and an image
 * for another architecture is refused at spawn with nothing left behind.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { type Env, eventsJson, git, isEnded, leftovers, makeRepo, paddockEnv, runIdOf, statusJson, until } from '../e2e/harness.ts';

const pexec = promisify(execFile);
const DOCKER = process.env.PADDOCK_TEST_DOCKER_SOCKET ?? '/run/paddock/docker.sock';
const CACHE = join(process.env.PADDOCK_CACHE_DIR ?? '/var/cache/paddock', 'test-images');
/** Matches the default image policy (localhost/paddock-*), so no allowlist change is needed. */
const PYTHON_IMAGE = 'localhost/paddock-test-any-python:minbase';
const MUSL_IMAGE = 'localhost/paddock-test-any-musl:1';

/** Debian bookworm minbase with python3 and nothing of Paddock's, as a rootfs tarball (cached: built once, ~40 s). */
async function pythonRootfs(): Promise<string> {
  const tar = join(CACHE, 'minbase-python3.tar');
  if (existsSync(tar)) return tar;
  mkdirSync(CACHE, { recursive: true });
  const partial = join(CACHE, 'minbase-python3.partial.tar');
  await pexec('mmdebstrap', ['--variant=minbase', '--include=python3', 'bookworm', partial], { maxBuffer: 64 << 20, timeout: 600_000 });
  renameSync(partial, tar);
  return tar;
}

/**
 * An Alpine-like rootfs from local files: musl's loader (Debian's musl package), a program linked against it, and a
 * static busybox as /bin/sh with its applets. No glibc, no bash.
 */
async function muslRootfs(): Promise<string> {
  const tar = join(CACHE, 'musl-1.tar');
  if (existsSync(tar)) return tar;
  const root = mkdtempSync(join(CACHE, 'musl-root-'));
  try {
    for (const d of ['bin', 'lib', 'usr/bin', 'etc', 'tmp']) mkdirSync(join(root, d), { recursive: true });
    // As an image's root is: / traversable by anyone, /tmp sticky and world-writable (Podman gives its tmpfs the mode of
    // the image's directory under it).
    chmodSync(root, 0o755);
    chmodSync(join(root, 'tmp'), 0o1777);
    await pexec('cp', ['/usr/lib/x86_64-linux-musl/libc.so', join(root, 'lib', 'ld-musl-x86_64.so.1')]);
    await pexec('cp', ['/bin/busybox', join(root, 'bin', 'busybox')]);
    for (const a of ['sh', 'ls', 'cat', 'echo', 'grep', 'id', 'head', 'tail', 'cut', 'tr', 'wc', 'touch', 'env', 'mkdir', 'rm', 'stat']) symlinkSync('busybox', join(root, 'bin', a));
    writeFileSync(join(root, 'etc', 'os-release'), 'ID=alpine-like\nNAME="musl test image"\n');
    writeFileSync(join(root, 'hello.c'), '#include <stdio.h>\nint main(void){puts("hello from musl");return 0;}\n');
    await pexec('musl-gcc', ['-o', join(root, 'usr', 'bin', 'hello-musl'), join(root, 'hello.c')]);
    rmSync(join(root, 'hello.c'));
    await pexec('tar', ['-C', root, '-cf', tar, '.']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return tar;
}

async function hasImage(e: Env, ref: string): Promise<boolean> {
  try {
    await e.engine.getImage(ref).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Imports a rootfs as an image into the engine behind the Env, unless it is there. */
async function ensureImage(e: Env, ref: string, tarball: string): Promise<void> {
  if (await hasImage(e, ref)) return;
  // repo with its tag: both engines take it so (Podman's compat API ignores a separate tag).
  const stream = await e.engine.importImage(tarball, { repo: ref });
  await new Promise<void>((res, rej) => e.engine.modem.followProgress(stream, (err: Error | null) => (err ? rej(err) : res())));
}

/** The same Bash call in every image: one line per fact the jail promises. */
const PROBE = [
  'echo "ids: $(id -u) $(id -g)"',
  "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\\t ' ' '",
  'touch /planted 2>/dev/null; echo "write-root=$?"',
  'touch /etc/planted 2>/dev/null; echo "write-etc=$?"',
  'echo "ifaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\\n" " ")"',
  'echo "routes: $(tail -n +2 /proc/net/route | wc -l)"',
  'echo "memory: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max)"',
  'echo "pids: $(cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max)"',
  // The jail's mounts and their options (the toolbox image has one more, /opt/paddock, checked on its own).
  'grep -E " (/workspace|/home/agent|/run/paddock|/tmp|/etc/passwd) " /proc/self/mountinfo | cut -d" " -f5,6 | sort',
  'echo probe-done',
].join('\n');

/** What the agent reports about its environment (besides the probe) in a toolbox image. */
const TOOLBOX_FACTS = [
  'echo "PATH=$PATH"',
  'echo "claude=$(command -v claude)"',
  'echo "python3=$(command -v python3)"',
  'for b in tini socat node git claude; do for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do [ -e "$d/$b" ] && echo "image-has=$d/$b"; done; done; true',
  'grep " /opt/paddock " /proc/self/mountinfo | cut -d" " -f5,6',
  'echo facts-done',
].join('\n');

function scriptProbe(e: Env): void {
  e.model.script('any-probe', ({ cwd }) => [
    { tools: [{ name: 'Bash', input: { command: PROBE, description: 'probe the jail' } }] },
    { tools: [{ name: 'Bash', input: { command: TOOLBOX_FACTS, description: 'where the tools come from' } }] },
    {
      tools: [
        {
          name: 'Bash',
          input: { command: `python3 -c "import sys; open('${cwd}/from-python.txt', 'w').write('python %d.%d\\n' % sys.version_info[:2])" && cat ${cwd}/from-python.txt`, description: 'python3' },
        },
      ],
    },
    { text: 'done in any image' },
  ]);
}

async function toolResults(e: Env, id: string): Promise<string[]> {
  return (await eventsJson(e, id)).filter((ev) => ev.kind === 'tool_result').map((ev) => String(ev.data.content));
}

async function ended(e: Env, id: string) {
  return until(
    async () => {
      const s = await statusJson(e, id);
      return isEnded(s) ? s : undefined;
    },
    `run ${id} to end`,
    240_000,
    300,
  );
}

async function spawnDetached(e: Env, args: string[]): Promise<string> {
  const r = await e.cli(['spawn', ...args, '--detach']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const id = /[0-9a-f]{12}/.exec(r.stdout)?.[0];
  assert.ok(id, r.stdout);
  return id;
}

/** The probe's lines with the run's own UID/GID replaced (each run has its own, from the reserved range). */
function normalisedProbe(out: string): string[] {
  const lines = out.slice(0, out.indexOf('probe-done')).trim().split('\n');
  return lines.map((l) => {
    const ids = /^ids: (\d+) (\d+)$/.exec(l);
    if (!ids) return l;
    assert.ok(Number(ids[1]) >= 1_000_000 && Number(ids[2]) >= 1_000_000, l);
    return 'ids: <run uid> <run gid>';
  });
}

/** Spawns a run in the python image and one in Paddock's image, at once, and compares what they saw. */
async function sameJailInBothImages(t: TestContext, e: Env, engine: string): Promise<void> {
  scriptProbe(e);
  const repo = await makeRepo(t);
  const [anyId, baseId] = await Promise.all([
    spawnDetached(e, ['--repo', repo, '--branch', `any/${engine}`, '--image', PYTHON_IMAGE, '--memory', '768m', '--pids', '300', '--task', 'Probe [[script:any-probe]]']),
    spawnDetached(e, ['--repo', repo, '--branch', `base/${engine}`, '--memory', '768m', '--pids', '300', '--task', 'Probe [[script:any-probe]]']),
  ]);
  const [a, b] = await Promise.all([ended(e, anyId), ended(e, baseId)]);
  assert.equal(a.state, 'completed', JSON.stringify(a));
  assert.equal(b.state, 'completed', JSON.stringify(b));

  const anyOut = await toolResults(e, anyId);
  const baseOut = await toolResults(e, baseId);
  const probeOf = async (id: string, outs: string[]) =>
    outs.find((o) => o.includes('probe-done')) ?? assert.fail(`no probe output in run ${id}: ${JSON.stringify(await eventsJson(e, id)).slice(0, 4000)}`);
  const anyProbe = normalisedProbe(await probeOf(anyId, anyOut));
  assert.deepEqual(anyProbe, normalisedProbe(await probeOf(baseId, baseOut)), 'the same jail in both images');
  // And it is the jail: nothing here is a tautology of two wrong answers.
  assert.ok(anyProbe.includes('CapEff: 0000000000000000'), anyProbe.join('\n'));
  assert.ok(anyProbe.includes('NoNewPrivs: 1'), anyProbe.join('\n'));
  assert.ok(anyProbe.includes('Seccomp: 2'), anyProbe.join('\n'));
  assert.ok(anyProbe.includes('write-root=1') && anyProbe.includes('write-etc=1'), anyProbe.join('\n'));
  assert.ok(anyProbe.includes('ifaces: lo ') && anyProbe.includes('routes: 0'), anyProbe.join('\n'));
  assert.ok(anyProbe.includes(`memory: ${768 * 1024 * 1024}`) && anyProbe.includes('pids: 300'), anyProbe.join('\n'));

  // The tools: the image's python3, the toolbox's claude last on PATH, nothing of Paddock's in the image itself.
  const facts = anyOut.find((o) => o.includes('facts-done')) ?? '';
  assert.match(facts, /^python3=\/usr\/bin\/python3$/m);
  assert.match(facts, /^claude=\/opt\/paddock\/bin\/claude$/m);
  const path = (/^PATH=(.*)$/m.exec(facts)?.[1] ?? '').split(':');
  assert.ok(path.includes('/opt/paddock/bin') && path.indexOf('/usr/bin') < path.indexOf('/opt/paddock/bin'), `the image's PATH first, then the toolbox's: ${path.join(':')}`);
  assert.doesNotMatch(facts, /image-has=/, 'no claude, tini, socat, node or git in the image');
  assert.match(facts, /^\/opt\/paddock ro,/m, 'the toolbox is mounted read-only');
  assert.equal(await git(repo, 'show', `any/${engine}:from-python.txt`), 'python 3.11');
  // Paddock's own image has no python3: the same task there leaves nothing (the tools are the image's, not ours).
  assert.match(baseOut.at(-1) ?? '', /python3: command not found|not found/);
}

describe('any image is an agent environment', () => {
  it('on Podman: a Debian python image with no agent tooling runs the real agent, with the same jail as Paddock’s image', async (t) => {
    const e = await paddockEnv(t);
    await ensureImage(e, PYTHON_IMAGE, await pythonRootfs());
    await sameJailInBothImages(t, e, 'podman');
  });

  it('on Podman: an Alpine-like musl image (no glibc, no bash) runs the agent, which uses the image’s musl program, and a persistent run; an arm64 image is refused at spawn', async (t) => {
    const e = await paddockEnv(t);
    await ensureImage(e, MUSL_IMAGE, await muslRootfs());
    const repo = await makeRepo(t);
    // First an image for another architecture: refused at spawn, naming it, with nothing made.
    const ref = 'localhost/paddock-test-any-arm64:1';
    if (!(await hasImage(e, ref))) {
      // A one-file image whose config says arm64 (Podman's import takes the architecture as a change).
      await pexec('podman', ['import', '--arch', 'arm64', await muslRootfs(), ref], { timeout: 60_000 });
    }
    const refused = await e.cli(['spawn', '--repo', repo, '--image', ref, '--task', 'never runs']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /image localhost\/paddock-test-any-arm64:1 cannot run the agent: it is built for arm64/);
    assert.match(refused.stderr, /amd64/);
    assert.deepEqual(await leftovers(e), { containers: [], volumes: [] }, 'nothing made for the refused image');
    assert.equal(await git(repo, 'branch', '--list', 'paddock/*'), '');
    e.model.script('musl', ({ cwd }) => [
      { tools: [{ name: 'Bash', input: { command: `hello-musl > ${cwd}/musl.txt; cat /etc/os-release | head -1 >> ${cwd}/musl.txt; echo "shell=$SHELL"; ls /lib`, description: 'musl' } }] },
      { text: 'done on musl' },
    ]);
    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'musl/1', '--image', MUSL_IMAGE, '--task', 'Musl [[script:musl]]']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = (await toolResults(e, runIdOf(r))).join('\n');
    assert.match(out, /shell=\/opt\/paddock\/libexec\/bash/, "no bash in the image: the toolbox's serves the Bash tool");
    assert.match(out, /^ld-musl-x86_64\.so\.1$/m);
    assert.equal(await git(repo, 'show', 'musl/1:musl.txt'), 'hello from musl\nID=alpine-like');

    // A persistent run there too: its turns reach the agent's stdin through the toolbox's Node (the input reader).
    const first = await e.cli(['spawn', '--repo', repo, '--branch', 'musl/2', '--image', MUSL_IMAGE, '--keep-alive', '--task', 'Hello [[script:hello first answer]]']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /first answer/);
    const id = runIdOf(first);
    const second = await e.cli(['send', id, 'Again [[script:hello second answer]]']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /second answer/);
    await until(async () => (await statusJson(e, id)).state === 'idle', 'the run to wait again', 60_000, 200);
    assert.equal((await e.cli(['stop', id])).code, 0);
  });

  it('on Docker: the same jail in the python image as in Paddock’s', { skip: existsSync(DOCKER) ? false : `no Docker engine at ${DOCKER}` }, async (t) => {
    const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: DOCKER });
    await ensureImage(e, PYTHON_IMAGE, await pythonRootfs());
    await sameJailInBothImages(t, e, 'docker');
  });
});
