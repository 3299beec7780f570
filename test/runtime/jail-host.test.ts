/**
 * The jail's host side without an engine: the seccomp profile's denials, agent UID allocation (reserved range, no host
 * account, no two live runs alike, stable), the session HOME reset over a hostile tree (links never followed), and
 * the socket and database modes.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resetSessionHome } from '../../src/app/jail.ts';
import { checkSessionRepo } from '../../src/app/sessions.ts';
import { LIVE_STATES } from '../../src/jobs/index.ts';
import { restrictSocket, SECCOMP_PROFILE_JSON } from '../../src/runtime/index.ts';
import { paddockProfile } from '../../src/runtime/seccomp/generate.ts';
import { openDb } from '../../src/store/db.ts';
import { AGENT_UID_BASE, hostIds, RunIdentitiesRepo } from '../../src/store/run-identities-repo.ts';

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'paddock-jail-'));
  return d;
};

interface Rule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}

describe('seccomp profile', () => {
  const profile = JSON.parse(SECCOMP_PROFILE_JSON) as { defaultAction: string; syscalls: Rule[] };
  const rulesFor = (name: string) => profile.syscalls.filter((r) => r.names.includes(name));
  it('denies keyrings and tracing outright', () => {
    for (const n of ['keyctl', 'add_key', 'request_key', 'ptrace', 'process_vm_readv', 'process_vm_writev']) {
      const rules = rulesFor(n);
      assert.equal(rules.length, 1, n);
      assert.deepEqual([rules[0]?.action, rules[0]?.errnoRet], ['SCMP_ACT_ERRNO', 1], n);
    }
  });
  it('allows clone and unshare only without namespace flags, clone3 never (ENOSYS), socket but AF_VSOCK', () => {
    for (const n of ['clone', 'unshare']) {
      const allow = rulesFor(n).filter((r) => r.action === 'SCMP_ACT_ALLOW');
      assert.equal(allow.length, 1, n);
      assert.equal(allow[0]?.args?.[0]?.op, 'SCMP_CMP_MASKED_EQ');
      assert.ok(((allow[0]?.args?.[0]?.value ?? 0) & 0x10000000) !== 0, `${n}: CLONE_NEWUSER is masked`);
      assert.equal(allow[0]?.args?.[0]?.valueTwo, 0);
    }
    assert.deepEqual(
      rulesFor('clone3').map((r) => [r.action, r.errnoRet]),
      [['SCMP_ACT_ERRNO', 38]],
    );
    const socket = rulesFor('socket');
    assert.ok(socket.some((r) => r.action === 'SCMP_ACT_ALLOW' && r.args?.[0]?.op === 'SCMP_CMP_NE' && r.args[0].value === 40));
    assert.ok(socket.every((r) => r.action !== 'SCMP_ACT_ALLOW' || r.args?.length));
  });
  it('is what generate.ts makes of the engine default on this host (regenerate after a change)', () => {
    const base = '/usr/share/containers/seccomp.json';
    if (!existsSync(base)) return;
    assert.deepEqual(paddockProfile(JSON.parse(readFileSync(base, 'utf8'))), JSON.parse(SECCOMP_PROFILE_JSON));
  });
});

describe('agent UIDs', () => {
  const setup = () => {
    const dir = tmp();
    const db = openDb(join(dir, 'paddock.db'));
    const insert = (id: string, state: string) =>
      db
        .prepare(
          `INSERT INTO runs (id, created_at, updated_at, agent, type, task, prompt, repo, base_ref, base_sha, branch, bring_back, image, options, memory_bytes, cpus, pids, timeout_ms, session_id, resume, state, phase, run_dir, model_token, reuse_branch, new_session, stdout_lines, stderr_lines)
           VALUES (?, 0, 0, 'claude', 'feature', 't', 'p', '/r', 'main', 'x', ?, 1, 'img', '{}', 1, 1, 1, 1, ?, 0, ?, 'queued', '/d', 'tok', 0, 1, 0, 0)`,
        )
        .run(id, `b-${id}`, `s-${id}`, state);
    return { dir, db, insert, repo: new RunIdentitiesRepo(db) };
  };
  it('come from the reserved range, skip host accounts and live runs, differ run to run, and stay with their run', (t) => {
    const { dir, db, insert, repo } = setup();
    t.after(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    insert('a', 'running');
    insert('b', 'running');
    const a = repo.allocate('a', LIVE_STATES, new Set(Array.from({ length: 65_536 }, (_, i) => AGENT_UID_BASE + i).filter((u) => u !== AGENT_UID_BASE + 7)));
    assert.equal(a.uid, AGENT_UID_BASE + 7, 'taken IDs (host accounts, running processes) are skipped');
    assert.equal(a.gid, a.uid);
    const b = repo.allocate('b', LIVE_STATES, new Set());
    assert.equal(b.uid, a.uid + 1, 'the next one after the last');
    assert.deepEqual(repo.allocate('a', LIVE_STATES), a, 'stable');
    assert.ok(!hostIds().has(a.uid) && !hostIds().has(b.uid));
  });
});

describe('session HOME reset', () => {
  it('keeps only the conversation, as plain files, and never follows a link out', () => {
    const outside = tmp();
    writeFileSync(join(outside, 'victim'), 'keep me');
    const home = tmp();
    mkdirSync(join(home, '.claude', 'projects', '-workspace', 'memory'), { recursive: true });
    writeFileSync(join(home, '.claude', 'projects', '-workspace', 's.jsonl'), '{}\n', { mode: 0o4755 });
    symlinkSync(join(outside, 'victim'), join(home, '.claude', 'projects', '-workspace', 'link'));
    symlinkSync(outside, join(home, '.claude', 'projects', 'dirlink'));
    writeFileSync(join(home, '.claude', 'settings.json'), '{"hooks":{}}');
    mkdirSync(join(home, '.claude', 'plugins'));
    mkdirSync(join(home, '.config', 'git'), { recursive: true });
    writeFileSync(join(home, '.gitconfig'), '[core]\n\thooksPath = /x\n');
    writeFileSync(join(home, '.bashrc'), 'evil');
    writeFileSync(join(home, '.claude.json'), '{"mcpServers":{}}');
    symlinkSync(outside, join(home, 'out'));
    return resetSessionHome(home).then(({ removed }) => {
      assert.ok(removed >= 8);
      assert.deepEqual(
        [existsSync(join(home, '.gitconfig')), existsSync(join(home, '.bashrc')), existsSync(join(home, '.claude.json')), existsSync(join(home, '.config'))],
        [false, false, false, false],
      );
      assert.ok(!existsSync(join(home, '.claude', 'settings.json')) && !existsSync(join(home, '.claude', 'plugins')));
      const conv = join(home, '.claude', 'projects', '-workspace', 's.jsonl');
      assert.equal(statSync(conv).mode & 0o7777, 0o600);
      assert.ok(!existsSync(join(home, '.claude', 'projects', '-workspace', 'link')));
      assert.throws(() => lstatSync(join(home, '.claude', 'projects', 'dirlink')));
      assert.ok(existsSync(join(home, '.claude', 'projects', '-workspace', 'memory')));
      assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'keep me', 'nothing outside was touched');
      rmSync(home, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    });
  });
  it('replaces a ~/.claude that is a link', async () => {
    const outside = tmp();
    const home = tmp();
    symlinkSync(outside, join(home, '.claude'));
    await resetSessionHome(home);
    assert.ok(!existsSync(join(home, '.claude')));
    assert.ok(existsSync(outside));
  });
});

describe('modes', () => {
  it('a run socket goes to its directory owner, 0600; the database is 0600', async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const sock = join(dir, 's.sock');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(sock, r));
    t.after(() => server.close());
    restrictSocket(sock);
    assert.equal(statSync(sock).mode & 0o777, 0o600);
    assert.equal(statSync(sock).uid, statSync(dir).uid);
    const db = openDb(join(dir, 'p.db'));
    db.close();
    for (const f of ['p.db', 'p.db-wal', 'p.db-shm']) if (existsSync(join(dir, f))) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  });
});

describe('a session belongs to its repository', () => {
  const session = { id: 's1', createdAt: 0, updatedAt: 0, agent: 'claude', repo: '/repos/a', volume: 'v', lastRunId: 'r1' };
  const p = (workspace: string) => ({ runs: { get: () => ({ workspace }) } }) as unknown as Parameters<typeof checkSessionRepo>[0];
  it('continues on the same repository, and a scratch session in scratch only', () => {
    checkSessionRepo(p('clone'), session, 'clone', '/repos/a');
    checkSessionRepo(p('scratch'), { ...session, repo: '/home/runs/x/src' }, 'scratch', '/home/runs/y/src');
  });
  it('is refused on another repository, a mount of another directory, or a clone of a scratch session', () => {
    assert.throws(() => checkSessionRepo(p('clone'), session, 'clone', '/repos/b'), /belongs to \/repos\/a: it cannot continue on \/repos\/b/);
    assert.throws(() => checkSessionRepo(p('clone'), session, 'mount', '/repos/a'), /belongs to/);
    assert.throws(() => checkSessionRepo(p('scratch'), session, 'clone', '/repos/a'), /belongs to a scratch workspace/);
  });
});
