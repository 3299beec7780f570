/**
 * The jail from inside real runs (docs/runtime.md "The jail"): a scripted agent tries the escape test's jail findings
 * (1, 2, 4, 7, 10) and each attempt is recorded. Two runs live at once on Podman (the probe run waits while the host
 * checks what another local user can reach and a second run tries the first one's workspace, socket and token), then
 * a resumed run of the same session, a session refused on another repository, a disk flood, a SIGKILLed daemon, and
 * the same probes on Docker.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { eventsJson, type Env, git, isEnded, killDaemon, makeRepo, paddockEnv, statusJson, until } from '../e2e/harness.ts';
import { attempt } from './attempts.ts';

const pexec = promisify(execFile);
const DOCKER_SOCKET = '/run/paddock/docker.sock';

/** A perl one-liner calling a syscall by number (x86_64) and printing `<name> r=<ret> errno=<n>`. */
const sys = (name: string, nr: number, args: string) => `perl -e '$!=0; my $r=syscall(${nr}, ${args}); print "${name} r=$r errno=".($!+0)."\\n"'`;

/** The probes every engine gets: one Bash call, one marker line per attempt. */
const PROBES = [
  'echo "uid=$(id -u) gid=$(id -g) user=$(id -un) home=$HOME"',
  'echo "passwd=$(getent passwd "$(id -u)" | cut -d: -f1,6)"',
  sys('keyctl-show', 250, '0, -3, 0'), // KEYCTL_GET_KEYRING_ID of the session keyring
  sys('keyctl-persistent', 250, '22, -1, -3'), // KEYCTL_GET_PERSISTENT: join the user's persistent keyring
  // perl's syscall() wants strings in variables (it may write to them).
  `perl -e '$!=0; my ($t,$d,$v)=("user","k","v"); my $r=syscall(248, $t, $d, $v, 1, -3); print "add-key r=$r errno=".($!+0)."\\n"'`,
  `perl -e '$!=0; my ($t,$d)=("user","k"); my $r=syscall(249, $t, $d, 0, 0); print "request-key r=$r errno=".($!+0)."\\n"'`,
  'unshare -Ur true 2>/dev/null; echo "unshare-Ur=$?"',
  sys('clone-newuser', 56, `${0x10000000 | 17}, 0, 0, 0, 0`),
  sys('clone3', 435, '0, 0'),
  sys('ptrace-tini', 101, '16, 1, 0, 0'), // PTRACE_ATTACH to PID 1
  sys('vsock', 41, '40, 1, 0'),
  'mknod /workspace/devnull c 1 3 2>/dev/null; echo "mknod=$?"',
  'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m 2>/dev/null; echo "mount=$?"',
  'for d in / /etc /usr; do touch "$d/paddock-planted" 2>/dev/null; echo "write-$d=$?"; done',
  'cp /bin/bash /workspace/suid-bash && chmod 6755 /workspace/suid-bash; echo "suid-made=$(stat -c %a /workspace/suid-bash)"',
  'echo "mounts: $(grep -E " /workspace | /home/agent " /proc/self/mountinfo | awk \'{print $5":"$6}\' | tr "\\n" " ")"',
  // Memory bomb: the process is killed at the limit, the agent goes on.
  'perl -e \'$x = "x" x (1536*1024*1024); print "allocated\\n"\' 2>/dev/null; echo "membomb=$?"',
  // Fork bomb, bounded, in a subshell (bash gives up on a fork that keeps failing): the PID limit holds, the shell
  // that started it carries on (echo is a builtin: it needs no fork).
  '( for i in $(seq 1 700); do (exec perl -e "select(undef,undef,undef,4)") & done; wait ) >/dev/null 2>&1; echo "forks-survived=ok"',
  'echo probes-done',
].join('\n');

function lineOf(out: string, key: string): string {
  const l = out.split('\n').find((x) => x.startsWith(key));
  assert.ok(l !== undefined, `no "${key}" line in:\n${out.slice(0, 3000)}`);
  return l;
}
const errnoOf = (out: string, key: string) => Number(/errno=(\d+)/.exec(lineOf(out, key))?.[1]);

async function toolOutput(e: Env, id: string, marker: string): Promise<string> {
  const out = (await eventsJson(e, id)).filter((ev) => ev.kind === 'tool_result').map((ev) => String(ev.data.content));
  const hit = out.find((o) => o.includes(marker));
  assert.ok(hit, `no tool output with ${marker} in run ${id}: ${out.join('\n---\n').slice(0, 2000)}`);
  return hit;
}

const hostAccounts = () =>
  new Set(
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((l) => Number(l.split(':')[2])),
  );

/** Runs a command as `nobody` on the host: what any other local user could do. */
async function asNobody(cmd: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await pexec('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', '-c', cmd], { timeout: 20_000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

async function spawnDetached(e: Env, args: string[]): Promise<string> {
  const r = await e.cli(['spawn', ...args, '--detach']);
  assert.equal(r.code, 0, r.stderr);
  const id = /[0-9a-f]{12}/.exec(r.stdout)?.[0];
  assert.ok(id, r.stdout);
  return id;
}

async function ended(e: Env, id: string, timeoutMs = 240_000) {
  return until(
    async () => {
      const s = await statusJson(e, id);
      return isEnded(s) ? s : undefined;
    },
    `run ${id} to end`,
    timeoutMs,
    500,
  );
}

/** Checks every probe result of one run; engine names the rows. */
async function recordProbes(t: TestContext, out: string, engine: string): Promise<number> {
  const uid = Number(/uid=(\d+)/.exec(lineOf(out, 'uid='))?.[1]);
  const sfx = engine === 'podman' ? '' : `-${engine}`;
  const on = engine === 'podman' ? '' : ` (${engine})`;
  await attempt(t, { id: `jail-uid-no-host-account${sfx}`, area: 'jail', finding: 1, what: `whoami/id inside a run${on}: is the agent a host account?` }, () => {
    assert.ok(uid >= 1_000_000 && uid < 1_065_536, `uid ${uid}`);
    assert.ok(!hostAccounts().has(uid), `UID ${uid} is a host account`);
    assert.match(lineOf(out, 'uid='), /user=agent home=\/home\/agent/);
    return `denied: the agent is UID ${uid} (agent in its own passwd file), no account in the host's /etc/passwd`;
  });
  const errno = (key: string, want: number, spec: { id: string; finding: number; what: string }, how: string) =>
    attempt(t, { ...spec, area: 'jail', what: `${spec.what}${on}` }, () => {
      assert.equal(errnoOf(out, key), want, lineOf(out, key));
      return how;
    });
  await errno('keyctl-show', 1, { id: `jail-keyctl-show${sfx}`, finding: 2, what: "keyctl show: read the session keyring (the host user's, before)" }, 'denied: keyctl fails with EPERM (seccomp)');
  await errno(
    'keyctl-persistent',
    1,
    { id: `jail-keyctl-persistent${sfx}`, finding: 1, what: "keyctl get_persistent: join the host user's persistent keyring (Kerberos tickets)" },
    'denied: EPERM (seccomp)',
  );
  await errno('add-key', 1, { id: `jail-add-key${sfx}`, finding: 2, what: 'add_key into the session keyring' }, 'denied: EPERM (seccomp)');
  await errno('request-key', 1, { id: `jail-request-key${sfx}`, finding: 2, what: 'request_key' }, 'denied: EPERM (seccomp)');
  await attempt(t, { id: `jail-unshare-user${sfx}`, area: 'jail', finding: 2, what: `unshare -Ur: root in a new user namespace${on}` }, () => {
    assert.notEqual(lineOf(out, 'unshare-Ur='), 'unshare-Ur=0');
    return 'denied: unshare(CLONE_NEWUSER) fails with EPERM (seccomp)';
  });
  await errno('clone-newuser', 1, { id: `jail-clone-newuser${sfx}`, finding: 2, what: 'clone(CLONE_NEWUSER) by syscall' }, 'denied: EPERM (seccomp filters clone flags)');
  await errno('clone3', 38, { id: `jail-clone3${sfx}`, finding: 2, what: 'clone3 (flags out of seccomp’s reach)' }, 'denied: ENOSYS (seccomp), so libc falls back to the filtered clone');
  await errno('ptrace-tini', 1, { id: `jail-ptrace-tini${sfx}`, finding: 2, what: 'ptrace(PTRACE_ATTACH) of PID 1, tini, to freeze the container' }, 'denied: EPERM (seccomp)');
  await errno('vsock', 97, { id: `jail-vsock${sfx}`, finding: 2, what: 'socket(AF_VSOCK)' }, 'denied: EAFNOSUPPORT (seccomp)');
  await attempt(t, { id: `jail-mknod${sfx}`, area: 'jail', finding: 0, what: `mknod a character device in /workspace${on}` }, () => {
    assert.notEqual(lineOf(out, 'mknod='), 'mknod=0');
    return 'denied: no CAP_MKNOD (and /workspace is nodev on Podman)';
  });
  await attempt(t, { id: `jail-mount-tmpfs${sfx}`, area: 'jail', finding: 2, what: `mount a tmpfs${on}` }, () => {
    assert.notEqual(lineOf(out, 'mount='), 'mount=0');
    return 'denied: no CAP_SYS_ADMIN, and no user namespace to get one in';
  });
  await attempt(t, { id: `jail-write-outside${sfx}`, area: 'jail', finding: 0, what: `write to /, /etc and /usr${on}` }, () => {
    for (const d of ['/', '/etc', '/usr']) assert.notEqual(lineOf(out, `write-${d}=`), `write-${d}=0`);
    return 'denied: read-only root filesystem';
  });
  await attempt(t, { id: `jail-fork-bomb${sfx}`, area: 'jail', finding: 7, what: `700 processes at once (a bounded fork bomb)${on}` }, () => {
    lineOf(out, 'forks-survived=ok');
    return 'neutralised: the PID limit stops the forks; the agent and its shell carry on';
  });
  await attempt(t, { id: `jail-memory-bomb${sfx}`, area: 'jail', finding: 7, what: `allocate 1.5 GiB under a 512 MiB limit${on}` }, () => {
    assert.notEqual(lineOf(out, 'membomb='), 'membomb=0');
    assert.ok(!out.includes('allocated\n'));
    return `neutralised: the allocating process is killed at the memory limit (${lineOf(out, 'membomb=')}), the run goes on`;
  });
  if (engine === 'podman') {
    await attempt(t, { id: 'jail-nosuid-nodev', area: 'jail', finding: 4, what: '/workspace and HOME mounted without nosuid,nodev?' }, () => {
      const m = lineOf(out, 'mounts:');
      assert.equal((m.match(/nosuid/g) ?? []).length, 2, m);
      assert.equal((m.match(/nodev/g) ?? []).length, 2, m);
      return 'denied: both are mounted nosuid,nodev';
    });
  }
  return uid;
}

describe('the jail, from inside real runs', () => {
  it('Podman: per-run UID, seccomp, limits, another run and another local user, setuid back, session HOME reset', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const other = await makeRepo(t);

    // Run A: the probes, a planted session hook, then it waits until the test lets it go (so run B and `nobody` try it live).
    const plant = [
      'mkdir -p ~/.claude ~/.config/git ~/hooks',
      `printf '{"hooks":{"PreToolUse":[{"matcher":"*","hooks":[{"type":"command","command":"touch /workspace/claude-hook-ran-$PADDOCK_RUN_ID"}]}]}}' > ~/.claude/settings.json`,
      `printf '[core]\\n\\thooksPath = /home/agent/hooks\\n' > ~/.gitconfig`,
      `printf '#!/bin/sh\\ntouch /workspace/git-hook-ran-$PADDOCK_RUN_ID\\n' > ~/hooks/pre-commit; chmod +x ~/hooks/pre-commit`,
      `echo 'touch /workspace/bashrc-ran-$PADDOCK_RUN_ID' > ~/.bashrc`,
      'echo planted',
    ].join('\n');
    const wait = 'for i in $(seq 1 1200); do [ -e /workspace/.go ] && break; perl -e "select(undef,undef,undef,0.1)"; done; echo "released=$i"';
    e.model.script('probe-a', [
      { tools: [{ name: 'Bash', input: { command: PROBES, description: 'probe the jail' } }] },
      { tools: [{ name: 'Bash', input: { command: plant, description: 'plant hooks' } }] },
      { tools: [{ name: 'Bash', input: { command: wait, description: 'wait' } }] },
      { text: 'done' },
    ]);
    const a = await spawnDetached(e, ['--repo', repo, '--branch', 'jail/a', '--task', 'Probe [[script:probe-a]]']);
    const runDir = join(e.home, 'runs', a);
    await until(async () => (await eventsJson(e, a)).some((ev) => ev.kind === 'tool_result' && String(ev.data.content).includes('planted')), 'run A to plant', 180_000, 500);
    const outA = await toolOutput(e, a, 'probes-done');
    const uidA = await recordProbes(t, outA, 'podman');

    // Another local user, while run A is live.
    await attempt(t, { id: 'jail-nobody-reads-db', area: 'jail', finding: 4, what: 'another local user (nobody) reads paddock.db (live run tokens)' }, async () => {
      const r = await asNobody(`cat '${join(e.home, 'paddock.db')}' > /dev/null`);
      assert.notEqual(r.code, 0, r.out);
      assert.equal(statSync(join(e.home, 'paddock.db')).mode & 0o777, 0o600);
      assert.equal(statSync(e.home).mode & 0o777, 0o700);
      return 'denied: PADDOCK_HOME is 0700 and paddock.db 0600 (Permission denied)';
    });
    await attempt(t, { id: 'jail-nobody-lists-run-dir', area: 'jail', finding: 4, what: "nobody lists a live run's directory" }, async () => {
      const r = await asNobody(`ls '${runDir}'`);
      assert.notEqual(r.code, 0, r.out);
      assert.equal(statSync(runDir).mode & 0o777, 0o700);
      return 'denied: the run directory is 0700 (Permission denied)';
    });
    await attempt(t, { id: 'jail-nobody-relay-socket', area: 'jail', finding: 4, what: "nobody connects to a live run's model relay socket" }, async () => {
      const sock = join(runDir, 'relay', 'model.sock');
      const st = statSync(sock);
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(st.uid, uidA);
      const r = await asNobody(`perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Peer => "${sock}") or die "refused: $!\\n"; print "connected\\n"'`);
      assert.doesNotMatch(r.out, /connected/);
      return `denied: the socket is 0600 and owned by the run's UID ${uidA} (and its directory is unreachable)`;
    });

    // Run B, live beside A: A's workspace, socket and token are not there.
    const db = new DatabaseSync(join(e.home, 'paddock.db'), { readOnly: true });
    const token = String((db.prepare('SELECT model_token FROM runs WHERE id = ?').get(a) as { model_token: string }).model_token);
    db.close();
    const probeB = [
      `ls '${runDir}/src' 2>&1 | head -1; echo "ws=$?"`,
      `[ -e '${runDir}/relay/model.sock' ] && echo "sock=seen" || echo "sock=absent"`,
      'ls /run/paddock',
      `grep -rl 'pdk_' /proc/*/environ 2>/dev/null | wc -l | sed 's/^/tokens-visible=/'`,
      `env | grep -c '${token.slice(0, 12)}' | sed 's/^/a-token=/'`,
      'echo "uid=$(id -u) gid=$(id -g) user=$(id -un) home=$HOME"',
      'echo probe-b-done',
    ].join('\n');
    e.model.script('probe-b', [{ tools: [{ name: 'Bash', input: { command: probeB, description: 'probe run A' } }] }, { text: 'done' }]);
    const b = await spawnDetached(e, ['--repo', repo, '--branch', 'jail/b', '--task', 'Probe [[script:probe-b]]']);
    await ended(e, b);
    const outB = await toolOutput(e, b, 'probe-b-done');
    const uidB = Number(/uid=(\d+)/.exec(lineOf(outB, 'uid='))?.[1]);
    await attempt(t, { id: 'jail-other-run-reachable', area: 'jail', finding: 1, what: "a second live run reaches the first one's workspace, relay socket or token" }, () => {
      assert.match(outB, /No such file or directory/);
      assert.match(outB, /sock=absent/);
      assert.match(outB, /a-token=0/);
      assert.notEqual(uidB, uidA);
      return `denied: neither the other run's checkout nor its socket exists in this container, its token is not in it, and it runs as another UID (${uidA} vs ${uidB})`;
    });

    // Let A finish: its checkout comes back host-owned with no setuid bits.
    writeFileSync(join(runDir, 'src', '.go'), '');
    const sa = await ended(e, a);
    assert.equal(sa.state, 'completed', JSON.stringify(sa));
    await attempt(t, { id: 'jail-setuid-left-in-checkout', area: 'jail', finding: 1, what: 'a setuid+setgid copy of bash left in the checkout, after the run completed' }, () => {
      const f = join(runDir, 'src', 'suid-bash');
      assert.ok(existsSync(f), 'the file is still in the checkout');
      const st = statSync(f);
      assert.equal(st.mode & 0o6000, 0, `mode ${(st.mode & 0o7777).toString(8)}`);
      assert.equal(st.uid, process.getuid?.());
      for (const name of readdirSync(join(runDir, 'src'))) assert.notEqual(statSync(join(runDir, 'src', name)).uid, uidA);
      return 'neutralised: the checkout is handed back to the host user (chown -R), which clears setuid and setgid bits';
    });

    // The next run of the session: nothing planted runs, the conversation is there.
    e.model.script('probe-c', [
      {
        tools: [
          {
            name: 'Bash',
            input: {
              command:
                'ls -A ~ ~/.claude; cat ~/.gitconfig 2>&1 | head -1; git -C /workspace -c user.name=a -c user.email=a@example.invalid commit --allow-empty -qm x 2>&1; ls /workspace | grep -c "ran-$PADDOCK_RUN_ID" | sed "s/^/ran=/"; echo "uid=$(id -u) gid=$(id -g) user=$(id -un) home=$HOME"; echo probe-c-done',
              description: 'look',
            },
          },
        ],
      },
      { text: 'done' },
    ]);
    const r = await e.cli(['resume', a, '--task', 'Again [[script:probe-c]]', '--detach']);
    assert.equal(r.code, 0, r.stderr);
    const c = /[0-9a-f]{12}/.exec(r.stdout)?.[0] ?? '';
    const sc = await ended(e, c);
    const outC = await toolOutput(e, c, 'probe-c-done');
    await attempt(
      t,
      {
        id: 'jail-session-hook-planted',
        area: 'jail',
        finding: 10,
        what: 'a Claude settings hook, ~/.gitconfig hooksPath with a pre-commit hook and ~/.bashrc planted in the session HOME, then the next run of the session',
      },
      () => {
        assert.match(outC, /ran=0/, outC);
        assert.match(outC, /No such file/, 'no ~/.gitconfig');
        assert.doesNotMatch(outC, /settings\.json/);
        for (const f of ['claude-hook-ran', 'git-hook-ran', 'bashrc-ran']) assert.ok(!existsSync(join(e.home, 'runs', c, 'src', `${f}-${c}`)), f);
        assert.equal(sc.state, 'completed', JSON.stringify(sc));
        return 'neutralised: the session HOME is reset at each run start (only ~/.claude/projects is kept), so none of them ran';
      },
    );
    await attempt(t, { id: 'jail-uid-differs-between-runs', area: 'jail', finding: 1, what: 'two runs of one session compare their UIDs' }, () => {
      const uidC = Number(/uid=(\d+)/.exec(lineOf(outC, 'uid='))?.[1]);
      assert.notEqual(uidC, uidA);
      assert.ok(!hostAccounts().has(uidC));
      return `denied: the runs were UID ${uidA} and UID ${uidC}, neither a host account`;
    });

    await attempt(t, { id: 'jail-session-other-repo', area: 'jail', finding: 10, what: 'resume a session on another repository (to read its transcript there)' }, async () => {
      const x = await e.cli(['spawn', '--repo', other, '--session', a, '--task', 'steal', '--detach']);
      assert.notEqual(x.code, 0);
      assert.match(x.stderr, /belongs to/);
      return `denied: ${x.stderr.trim().split('\n')[0]}`;
    });
  });

  it('Podman: a disk flood past a small budget ends the run, the work before it kept', async (t) => {
    const e = await paddockEnv(t, { PADDOCK_DISK_BUDGET: '64m' });
    const repo = await makeRepo(t);
    const flood =
      'echo kept > kept.txt; dd if=/dev/zero of=flood.bin bs=1M count=160 status=none; echo "flooded=$?"; for i in $(seq 1 600); do perl -e "select(undef,undef,undef,0.1)"; done; echo survived';
    e.model.script('flood', [{ tools: [{ name: 'Bash', input: { command: flood, description: 'flood' } }] }, { text: 'done' }]);
    const id = await spawnDetached(e, ['--repo', repo, '--branch', 'jail/flood', '--task', 'Flood [[script:flood]]']);
    const s = await ended(e, id, 180_000);
    await attempt(t, { id: 'jail-disk-flood', area: 'jail', finding: 7, what: 'write 160 MiB into /workspace under a 64 MiB disk budget' }, async () => {
      assert.equal(s.state, 'failed', JSON.stringify(s));
      assert.match(String(s.reason), /disk budget exceeded/);
      assert.equal(await git(repo, 'show', 'jail/flood:kept.txt'), 'kept');
      return `neutralised: the run was stopped (${String(s.reason)}); kept.txt written before it came back on the branch`;
    });
  });

  it('Podman: a setuid file comes back stripped and host-owned after the daemon was SIGKILLed mid-run', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const cmd = 'cp /bin/bash suid2 && chmod 6755 suid2 && echo made; for i in $(seq 1 1200); do [ -e /workspace/.go ] && break; perl -e "select(undef,undef,undef,0.1)"; done; echo released';
    e.model.script('suid', [{ tools: [{ name: 'Bash', input: { command: cmd, description: 'suid' } }] }, { text: 'done' }]);
    const id = await spawnDetached(e, ['--repo', repo, '--branch', 'jail/suid', '--task', 'Suid [[script:suid]]']);
    const src = join(e.home, 'runs', id, 'src');
    await until(() => existsSync(join(src, 'suid2')) && (statSync(join(src, 'suid2')).mode & 0o6000) !== 0, 'the setuid file', 180_000, 300);
    await killDaemon(e.home);
    writeFileSync(join(src, '.go'), '');
    // The next CLI call starts a daemon, which adopts the run and brings it to its end.
    const s = await ended(e, id);
    await attempt(
      t,
      { id: 'jail-setuid-after-daemon-kill', area: 'jail', finding: 1, what: 'a setuid+setgid file left in the checkout while the daemon is SIGKILLed; the next daemon adopts the run' },
      () => {
        const st = statSync(join(src, 'suid2'));
        assert.equal(st.mode & 0o6000, 0, (st.mode & 0o7777).toString(8));
        assert.equal(st.uid, process.getuid?.());
        return `neutralised: the adopting daemon finished the run (${s.state}) and handed the checkout back host-owned, setuid/setgid cleared`;
      },
    );
  });

  it('Docker: the same UID, seccomp and limit probes', async (t) => {
    const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: DOCKER_SOCKET });
    const repo = await makeRepo(t);
    e.model.script('probe', [{ tools: [{ name: 'Bash', input: { command: PROBES, description: 'probe the jail' } }] }, { text: 'done' }]);
    e.model.script('probe2', [{ tools: [{ name: 'Bash', input: { command: 'echo "uid=$(id -u) gid=$(id -g) user=$(id -un) home=$HOME"; echo probes-done', description: 'id' } }] }, { text: 'done' }]);
    const first = await spawnDetached(e, ['--repo', repo, '--branch', 'jail/docker', '--task', 'Probe [[script:probe]]']);
    const s = await ended(e, first);
    const uid = await recordProbes(t, await toolOutput(e, first, 'probes-done'), 'docker');
    // Docker flags the container OOMKilled when any process in it was (the memory bomb): the run says out of memory.
    assert.ok(s.state === 'completed' || /out of memory/.test(String(s.reason)), JSON.stringify(s));
    const second = await spawnDetached(e, ['--repo', repo, '--branch', 'jail/docker2', '--task', 'Probe [[script:probe2]]']);
    const s2 = await ended(e, second);
    assert.equal(s2.state, 'completed', 'a run after the bombs is healthy');
    const out2 = await toolOutput(e, second, 'probes-done');
    await attempt(t, { id: 'jail-uid-differs-between-runs-docker', area: 'jail', finding: 1, what: 'two runs (docker) compare their UIDs' }, () => {
      const uid2 = Number(/uid=(\d+)/.exec(lineOf(out2, 'uid='))?.[1]);
      assert.notEqual(uid2, uid);
      assert.ok(!hostAccounts().has(uid2));
      return `denied: the runs were UID ${uid} and UID ${uid2}, neither a host account`;
    });
  });
});
