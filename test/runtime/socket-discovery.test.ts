/**
 * Engine discovery: the order sockets are tried in, what a dead or hung socket costs, the error when nothing answers,
 * and starting Podman's API service ourselves. Only engine sockets and servers started here are contacted.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ErrorCode, isPaddockError } from '../../src/errors/index.ts';
import { discoverEngine, engineCandidates, findOnPath, firstAnswering, socketPathOf } from '../../src/runtime/socket-discovery.ts';
import { ENGINES, skipReason } from './engine-fixture.ts';

const FIXED_DEFAULTS = ['/run/podman/podman.sock', '/var/run/docker.sock'];
/** The no-engine paths can only be exercised where the fixed default sockets are absent. */
const defaultsPresent = FIXED_DEFAULTS.filter((p) => existsSync(p));
const noDefaultsSkip = defaultsPresent.length ? `default engine sockets exist here (${defaultsPresent.join(', ')}), so discovery would find them` : false;

const tmp = mkdtempSync(join(tmpdir(), 'paddock-rt-discovery-'));
const servers: Server[] = [];
const sockets: Socket[] = [];
after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(tmp, { recursive: true, force: true });
});

/** A unix socket that accepts connections and never answers: a hung engine. */
async function hungSocket(path: string): Promise<void> {
  const server = createServer((s) => sockets.push(s));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

describe('socket discovery', () => {
  it('reads unix:// URLs and bare paths, and skips what is not a unix socket', () => {
    assert.deepEqual(socketPathOf('unix:///run/x.sock'), { path: '/run/x.sock' });
    assert.deepEqual(socketPathOf('/run/x.sock'), { path: '/run/x.sock' });
    assert.ok('skipped' in socketPathOf('tcp://127.0.0.1:2375'));
    assert.ok('skipped' in socketPathOf('ssh://me@host'));
    assert.ok('skipped' in socketPathOf('relative.sock'));
  });

  it('tries explicit, $DOCKER_HOST, $CONTAINER_HOST, the Podman paths, ours, then Docker, without duplicates', () => {
    const { candidates, skipped } = engineCandidates(
      { explicit: 'unix:///e.sock', podmanSocketPath: '/run/paddock/podman.sock' },
      { DOCKER_HOST: 'unix:///d.sock', CONTAINER_HOST: '/c.sock', XDG_RUNTIME_DIR: '/xdg' },
      1234,
    );
    assert.deepEqual(
      candidates.map((c) => c.path),
      ['/e.sock', '/d.sock', '/c.sock', '/run/podman/podman.sock', '/xdg/podman/podman.sock', '/run/user/1234/podman/podman.sock', '/run/paddock/podman.sock', '/var/run/docker.sock'],
    );
    assert.deepEqual(skipped, []);
    const dup = engineCandidates({ podmanSocketPath: '/run/podman/podman.sock' }, { DOCKER_HOST: 'tcp://10.0.0.1:2375', XDG_RUNTIME_DIR: '/run/user/0' }, 0);
    assert.deepEqual(
      dup.candidates.map((c) => c.path),
      ['/run/podman/podman.sock', '/run/user/0/podman/podman.sock', '/var/run/docker.sock'],
    );
    assert.equal(dup.skipped.length, 1);
    assert.match(dup.skipped[0] ?? '', /DOCKER_HOST.*not a unix socket/);
  });

  it('skips missing, dead and hung sockets, each within 2 s, and takes the first that answers', async (t) => {
    const live = ENGINES.find((e) => existsSync(e.socket));
    if (!live || (await skipReason(live.socket))) return t.skip('no engine socket answers here');
    const notASocket = join(tmp, 'plain-file.sock');
    writeFileSync(notASocket, '');
    const hung = join(tmp, 'hung.sock');
    await hungSocket(hung);
    const bad = [
      { path: join(tmp, 'missing.sock'), source: 'test' },
      { path: notASocket, source: 'test' },
      { path: hung, source: 'test' },
    ];
    const tried: string[] = [];
    const t0 = Date.now();
    assert.equal(await firstAnswering(bad, tried), undefined);
    const took = Date.now() - t0;
    assert.ok(took < 3000, `three bad sockets took ${took} ms`);
    assert.equal(tried.length, 3);
    assert.match(tried[0] ?? '', /missing\.sock.*no such socket/);
    assert.match(tried[1] ?? '', /plain-file\.sock/);
    assert.match(tried[2] ?? '', /hung\.sock.*no answer within 2 s/);
    const rt = await firstAnswering([...bad, { path: live.socket, source: 'test' }], []);
    assert.equal(rt?.info.socketPath, live.socket);
    assert.equal(rt?.info.kind, live.kind);
  });

  for (const engine of ENGINES) {
    it(`uses an explicit ${engine.kind} socket first`, async (t) => {
      const why = await skipReason(engine.socket);
      if (why) return t.skip(why);
      const rt = await discoverEngine({ explicit: `unix://${engine.socket}`, podmanSocketPath: join(tmp, 'unused.sock') }, {}, 99999);
      assert.equal(rt.info.kind, engine.kind);
      assert.equal(rt.info.socketPath, engine.socket);
    });
  }

  it('prefers $DOCKER_HOST over the default paths', async (t) => {
    const docker = ENGINES.find((e) => e.kind === 'docker');
    if (!docker || (await skipReason(docker.socket))) return t.skip('no Docker socket here');
    const rt = await discoverEngine({ podmanSocketPath: '/run/paddock/podman.sock' }, { DOCKER_HOST: `unix://${docker.socket}` }, 99999);
    assert.equal(rt.info.kind, 'docker');
  });

  it('fails with EngineUnavailable listing what it tried when nothing answers', { skip: noDefaultsSkip }, async () => {
    const ours = join(tmp, 'none', 'podman.sock');
    await assert.rejects(discoverEngine({ podmanSocketPath: ours, startPodman: false }, { XDG_RUNTIME_DIR: '/nonexistent/xdg' }, 99999), (e) => {
      assert.ok(isPaddockError(e));
      assert.equal(e.code, ErrorCode.EngineUnavailable);
      for (const p of ['/nonexistent/xdg/podman/podman.sock', '/run/podman/podman.sock', '/run/user/99999/podman/podman.sock', ours, '/var/run/docker.sock']) {
        assert.ok(e.message.includes(p), `message names ${p}: ${e.message}`);
      }
      assert.match(e.hint ?? '', /npm run up/);
      assert.match(e.hint ?? '', /DOCKER_HOST/);
      return true;
    });
  });

  for (const name of ['DOCKER_HOST', 'CONTAINER_HOST']) {
    it(`uses a socket named in $${name} alone: one that does not answer is a clear error, not a fallback to another engine`, async () => {
      for (const value of ['unix:///nonexistent/engine.sock', 'tcp://127.0.0.1:1']) {
        await assert.rejects(discoverEngine({ podmanSocketPath: '/run/paddock/podman.sock', startPodman: true }, { [name]: value }, 99999), (e) => {
          assert.ok(isPaddockError(e));
          assert.equal(e.code, ErrorCode.EngineUnavailable);
          assert.ok(e.message.includes(`${name}=${value}`), e.message);
          assert.match(e.hint ?? '', new RegExp(`unset ${name}`));
          return true;
        });
      }
    });
  }

  it("starts Podman's API service on our socket when nothing answers and podman is installed", { skip: noDefaultsSkip || (findOnPath('podman') ? false : 'podman is not installed') }, async (t) => {
    const dir = join(tmp, 'started');
    const socket = join(dir, 'podman.sock');
    const pidFile = join(dir, 'podman-service.pid');
    t.after(async () => {
      // Stop the service this test started, by its recorded pid.
      if (!existsSync(pidFile)) return;
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const t0 = Date.now();
    const rt = await discoverEngine({ podmanSocketPath: socket, startPodman: true }, {}, 99999);
    t.diagnostic(`podman service answered after ${Date.now() - t0} ms`);
    assert.equal(rt.info.kind, 'podman');
    assert.equal(rt.info.socketPath, socket);
    assert.ok(existsSync(pidFile));
    assert.ok(existsSync(join(dir, 'podman-service.log')));
    await rt.ping();
  });
});
