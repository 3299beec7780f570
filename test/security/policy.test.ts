/**
 * Mount, image and repository policy from outside (docs/policy.md): every request is refused at spawn, before
 * anything is made (no run, no container), with a 403 naming the rule. Bad policy config stops the daemon's start.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BIN, type Env, makeRepo, paddockEnv, until } from '../e2e/harness.ts';
import { attempt } from './attempts.ts';

const pexec = promisify(execFile);

/** One request to the daemon over its unix socket. */
function api(e: Env, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(e.home, 'paddock.sock'), method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const errText = (b: Record<string, unknown>) => JSON.stringify(b);

/** Container paths refused as mount targets, written the ways an attacker would (normalised before the check). */
const BLOCKED = [
  '/',
  '/etc',
  '/etc/../etc',
  '//etc',
  '/etc/',
  '/etc/cron.d',
  '/root',
  '/proc',
  '/sys',
  '/sys/fs/cgroup',
  '/dev',
  '/boot',
  '/var/run',
  '/run',
  '/run/paddock',
  '/usr',
  '/usr/local/bin',
  '/bin',
  '/lib',
  '/lib64',
  '/sbin',
  '/workspace',
  '/workspace/.git',
  '/home/agent',
  '/home/agent/./.ssh',
  '/home/agent/.claude',
  '/home/agent/.config/gh',
  '/home/agent/.aws',
  '/home/agent/.gnupg',
  '/home/agent/.docker',
  '/home/agent/.kube',
];

describe('mount, image and repository policy', () => {
  it('refuses every escape at spawn, naming the rule, and makes nothing', async (t) => {
    const repo = await makeRepo(t);
    const base = mkdtempSync(join(tmpdir(), 'paddock-policy-'));
    t.after(() => rmSync(base, { recursive: true, force: true }));
    const allowed = join(base, 'allowed');
    mkdirSync(join(allowed, 'data'), { recursive: true });
    mkdirSync(join(base, 'allowed-evil'));
    symlinkSync('/etc', join(allowed, 'etc-link'));
    const other = await makeRepo(t);
    const e = await paddockEnv(t, {
      PADDOCK_MOUNT_ALLOW: allowed,
      PADDOCK_REPO_ALLOW: repo,
      PADDOCK_IMAGE_ALLOW: 'localhost/paddock-agent:*',
    });
    assert.equal((await e.cli(['ls'])).code, 0); // starts the daemon
    const spawn = (extra: Record<string, unknown>) => api(e, 'POST', '/api/v1/runs', { repo, task: 'x', ...extra });
    const mount = (host: string, container: string, readOnly = true) => spawn({ mounts: [{ host, container, readOnly }] });

    for (const target of BLOCKED) {
      const r = await mount(join(allowed, 'data'), target);
      await attempt(
        t,
        {
          // Each way of writing a path keeps its own id ('/etc', '//etc' and '/etc/' are three attempts).
          id: `mount-target-${target.replace(/\//g, '_').replace(/[^a-z0-9_]+/gi, '-')}`,
          area: 'policy',
          finding: 0,
          what: `mount an allowed host directory onto ${target} in the container`,
        },
        () => {
          assert.equal(r.status, 403, errText(r.body));
          assert.match(errText(r.body), /mount-blocklist/);
          return `denied: 403, refused by the container-path blocklist (mount-blocklist) after normalisation`;
        },
      );
    }

    const cases: [string, string, () => Promise<{ status: number; body: Record<string, unknown> }>, RegExp, string][] = [
      [
        'mount-symlink-outside',
        'mount a symlink inside the allowed directory that points at /etc',
        () => mount(join(allowed, 'etc-link'), '/data'),
        /PADDOCK_MOUNT_ALLOW.*resolves to \/etc/,
        'the realpath (/etc) is under no allowed directory',
      ],
      [
        'mount-dotdot',
        'mount <allowed>/../allowed-evil (a .. path out of the allowed directory)',
        () => mount(`${allowed}/../allowed-evil`, '/data'),
        /PADDOCK_MOUNT_ALLOW/,
        'resolved first, then under no allowed directory',
      ],
      ['mount-string-prefix', 'mount <allowed>-evil (under the prefix by string, not by path)', () => mount(`${allowed}-evil`, '/data'), /PADDOCK_MOUNT_ALLOW/, 'prefixes match whole path components'],
      [
        'mount-rw-on-ro-rule',
        'mount an allowed directory read-write under a read-only rule',
        () => mount(join(allowed, 'data'), '/data', false),
        /PADDOCK_MOUNT_ALLOW.*read-only/,
        'the rule allows read-only mounts only',
      ],
      [
        'mount-paddock-home',
        "mount Paddock's own state directory (the database, run tokens)",
        () => mount(e.home, '/data'),
        /PADDOCK_MOUNT_ALLOW|mount-source/,
        "Paddock's own state is never mounted",
      ],
      [
        'mount-engine-socket',
        'mount the engine socket (root on the host)',
        () => mount('/run/paddock/podman.sock', '/data/podman.sock'),
        /PADDOCK_MOUNT_ALLOW|mount-source/,
        'not under an allowed directory (and sockets are never mounted)',
      ],
      ['mount-colon-inject', 'smuggle bind options through the path (host:/etc:rw)', () => mount(`${join(allowed, 'data')}:/etc:rw`, '/data'), /mount-target/, "paths with ':' or ',' are refused"],
      ['image-not-allowed', 'run an image that is not on the image allowlist', () => spawn({ image: 'localhost/paddock-base:bookworm' }), /PADDOCK_IMAGE_ALLOW/, 'not on PADDOCK_IMAGE_ALLOW'],
      [
        'repo-not-allowed',
        'work on a repository outside the repository allowlist',
        () => api(e, 'POST', '/api/v1/runs', { repo: other, task: 'x' }),
        /PADDOCK_REPO_ALLOW/,
        'under no PADDOCK_REPO_ALLOW directory',
      ],
      ['secrets-env-ld-preload', 'set LD_PRELOAD from a secret (secretsEnv)', () => spawn({ secretsEnv: { LD_PRELOAD: 'x' } }), /secrets-env/, "the loader's variables are never set from a secret"],
      ['secrets-env-proxy', "override the egress proxy's HTTPS_PROXY from a secret", () => spawn({ secretsEnv: { HTTPS_PROXY: 'x' } }), /secrets-env/, "the egress proxy's variables are Paddock's"],
      [
        'stromboli-volume-etc',
        "Stromboli's podman.volumes onto /etc (POST /run/async)",
        () => api(e, 'POST', '/run/async', { prompt: 'x', workdir: repo, podman: { volumes: [`${join(allowed, 'data')}:/etc:ro`] } }),
        /mount-blocklist/,
        'the same blocklist on the Stromboli face',
      ],
      [
        'stromboli-volume-symlink',
        "Stromboli's podman.volumes from a symlink out of the allowed directory",
        () => api(e, 'POST', '/run/async', { prompt: 'x', workdir: repo, podman: { volumes: [`${join(allowed, 'etc-link')}:/data`] } }),
        /PADDOCK_MOUNT_ALLOW/,
        'resolved, then refused',
      ],
    ];
    for (const [id, what, go, pattern, how] of cases) {
      const r = await go();
      await attempt(t, { id, area: 'policy', finding: 0, what }, () => {
        assert.ok(r.status === 403 || r.status === 400, `${r.status} ${errText(r.body)}`);
        assert.match(errText(r.body), pattern);
        return `denied: ${r.status}, ${how}`;
      });
    }

    await attempt(t, { id: 'policy-nothing-made', area: 'policy', finding: 0, what: 'leave anything behind with a refused request (a run, a container)' }, async () => {
      const runs = await api(e, 'GET', '/api/v1/runs');
      assert.deepEqual(runs.body.runs, []);
      const containers = await e.engine.listContainers({ all: true, filters: { label: [`dev.paddock.instance=${e.instance()}`] } });
      assert.equal(containers.length, 0);
      return 'denied: no run recorded and no container made (refused before anything is created)';
    });

    await attempt(t, { id: 'policy-refusals-logged', area: 'policy', finding: 0, what: 'make refusals that leave no trace for the operator' }, async () => {
      const logFile = join(e.home, 'logs', 'daemon.log');
      const lines = await until(
        () => {
          const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
          const hits = text.split('\n').filter((l) => l.includes('"policy.refused"'));
          return hits.length >= BLOCKED.length ? hits : undefined;
        },
        'the refusals in the daemon log',
        10_000,
      );
      const rules = new Set(lines.map((l) => (JSON.parse(l) as { rule: string }).rule));
      for (const rule of ['mount-blocklist', 'PADDOCK_MOUNT_ALLOW', 'PADDOCK_IMAGE_ALLOW', 'PADDOCK_REPO_ALLOW', 'secrets-env']) assert.ok(rules.has(rule), rule);
      return `denied: each refusal is a structured line in the daemon log (policy.refused, its rule: ${lines.length} lines)`;
    });

    // The same from the CLI: exit 2 naming the rule.
    const cli = await e.cli(['spawn', '--repo', repo, '--task', 'x', '--mount', `${join(allowed, 'data')}:/home/agent/.ssh`]);
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(cli.stderr, /mount-blocklist/);
    // An allowed mount passes the policy (the run is made; it is stopped at once).
    const ok = await mount(join(allowed, 'data'), '/data');
    assert.equal(ok.status, 201, errText(ok.body));
    await e.cli(['stop', String((ok.body.run as { id: string } | undefined)?.id ?? (ok.body as { id?: string }).id)]);
  });

  it('bad policy config: the daemon refuses to start, naming the key', async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'paddock-policy-cfg-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const bad: [string, string][] = [
      ['PADDOCK_MOUNT_ALLOW', 'relative/dir'],
      ['PADDOCK_MOUNT_ALLOW', '/data/*'],
      ['PADDOCK_IMAGE_ALLOW', 'localhost/paddock[agent'],
      ['PADDOCK_REPO_ALLOW', 'src/repos'],
    ];
    for (const [key, value] of bad) {
      for (const cmd of [['serve'], ['doctor']]) {
        const r = await pexec(process.execPath, [BIN, ...cmd], { env: { PATH: process.env.PATH, HOME: process.env.HOME, PADDOCK_HOME: home, [key]: value }, timeout: 30_000 }).then(
          (x) => ({ code: 0, stderr: x.stderr }),
          (x: { code: number; stderr: string }) => ({ code: x.code, stderr: x.stderr }),
        );
        assert.equal(r.code, 2, `${cmd[0]} ${key}=${value}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(key), `${cmd[0]} ${key}=${value}: ${r.stderr}`);
      }
    }
    assert.ok(dirname(home));
  });
});
