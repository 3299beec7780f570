/**
 * A container made from buildAgentContainerSpec really is hardened, on each engine: non-root, no capabilities,
 * no-new-privileges, no network but lo, read-only root filesystem, writable /workspace only, read-only shared objects
 * and relay dir, and the pids and memory limits hold.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENGINES, EngineFixture, skipReason } from './engine-fixture.ts';

const MiB = 1024 * 1024;

/** Prints key=value lines about the container's own security state; shell builtins and coreutils only. */
const PROBE = `
echo "uid=$(id -u)"
echo "gid=$(id -g)"
grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs):' /proc/self/status | sed 's/:[[:space:]]*/=/'
echo "ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ',')"
touch /rootfs-write 2>/dev/null && echo "rootfs=writable" || echo "rootfs=readonly"
touch /agent-owned/x 2>/dev/null && echo "rootfs_agent_dir=writable" || echo "rootfs_agent_dir=readonly"
echo hello > /workspace/from-agent && echo "workspace=writable" || echo "workspace=readonly"
touch "$OBJECTS/x" 2>/dev/null && echo "objects=writable" || echo "objects=readonly"
ls "$OBJECTS/marker" >/dev/null 2>&1 && echo "objects_visible=yes" || echo "objects_visible=no"
touch /run/paddock/x 2>/dev/null && echo "relay=writable" || echo "relay=readonly"
touch /home/agent/x 2>/dev/null && echo "home=writable" || echo "home=readonly"
touch /tmp/x 2>/dev/null && echo "tmp=writable" || echo "tmp=readonly"
echo "pid1=$(cat /proc/1/comm)"
echo "home_env=$HOME"
echo "run_env=$PADDOCK_RUN_ID"
echo "cwd=$(pwd)"
`;

for (const engine of ENGINES) {
  const skip = await skipReason(engine.socket);
  describe(`hardened agent container on ${engine.kind}`, { skip: skip ?? false }, () => {
    let f: EngineFixture;
    // conmon (Podman 4.3) drops an empty "oom" marker file into the Podman service's working directory on an OOM
    // kill; when the service was started from this checkout, remove the one our OOM test leaves.
    const strayOom = join(process.cwd(), 'oom');
    const strayOomBefore = existsSync(strayOom);
    before(async () => {
      f = await EngineFixture.open(engine.socket, 'rth');
      await f.buildTestImage();
    });
    after(async () => {
      await f?.cleanup();
      if (!strayOomBefore && existsSync(strayOom) && statSync(strayOom).size === 0) rmSync(strayOom, { force: true });
    });

    it('runs as UID 1000 with no capabilities, no-new-privileges, only lo, and read-only everything but /workspace', async () => {
      const checkout = f.tempDir('checkout', { owner1000: true });
      // World-writable on the host, so only the read-only mount can stop a write.
      const objects = f.tempDir('objects', { mode: 0o777 });
      const relay = f.tempDir('relay', { mode: 0o777 });
      writeFileSync(join(objects, 'marker'), 'x');
      const runId = 'abcdef0123456789';
      const id = await f.run(['sh', '-c', PROBE], { checkoutDir: checkout, sharedObjectsDir: objects, relayDir: relay, runId, env: { OBJECTS: objects } });
      assert.equal(await f.rt.waitContainer(id), 0);
      const lines = await f.lines(id);
      const errors = lines.filter((l) => l.stream === 'stderr').map((l) => l.line);
      const facts = Object.fromEntries(
        lines
          .filter((l) => l.stream === 'stdout')
          .map((l) => {
            const eq = l.line.indexOf('=');
            return [l.line.slice(0, eq), l.line.slice(eq + 1)];
          }),
      );
      const context = `facts: ${JSON.stringify(facts)} stderr: ${errors.join(' | ')}`;
      assert.equal(facts.uid, '1000', context);
      assert.equal(facts.gid, '1000', context);
      assert.equal(facts.CapEff, '0000000000000000', context);
      assert.equal(facts.CapPrm, '0000000000000000', context);
      assert.equal(facts.CapBnd, '0000000000000000', context);
      assert.equal(facts.NoNewPrivs, '1', context);
      assert.equal(facts.ifaces, 'lo,', context);
      assert.equal(facts.rootfs, 'readonly', context);
      assert.equal(facts.rootfs_agent_dir, 'readonly', context);
      assert.equal(facts.workspace, 'writable', context);
      assert.equal(facts.objects, 'readonly', context);
      assert.equal(facts.objects_visible, 'yes', context);
      assert.equal(facts.relay, 'readonly', context);
      assert.equal(facts.home, 'writable', context);
      assert.equal(facts.tmp, 'writable', context);
      assert.equal(facts.pid1, 'tini', context);
      assert.equal(facts.home_env, '/home/agent', context);
      assert.equal(facts.run_env, runId, context);
      assert.equal(facts.cwd, '/workspace', context);
      // What the agent wrote is on the host, owned by UID 1000; nothing landed in the read-only dirs.
      const written = join(checkout, 'from-agent');
      assert.equal(readFileSync(written, 'utf8'), 'hello\n');
      assert.equal(statSync(written).uid, 1000);
      assert.equal(existsSync(join(objects, 'x')), false);
      assert.equal(existsSync(join(relay, 'x')), false);
      // The engine holds the limits we asked for.
      const raw = await f.docker.getContainer(id).inspect();
      assert.equal(raw.HostConfig.ReadonlyRootfs, true);
      assert.equal(raw.HostConfig.NetworkMode, 'none');
      assert.ok(raw.HostConfig.SecurityOpt?.includes('no-new-privileges'));
      assert.equal(raw.HostConfig.PidsLimit, 128);
      assert.equal(raw.HostConfig.Memory, 256 * MiB);
      assert.equal(raw.HostConfig.NanoCpus, 1e9);
    });

    it('holds the pids limit against a fork loop, and the container can still be stopped', async (t) => {
      const id = await f.run(['bash', '-c', 'for i in $(seq 200); do sleep 30 & done; wait'], {
        limits: { memoryBytes: 256 * MiB, cpus: 1, pids: 64 },
      });
      // Let the loop run into the limit (bash then retries fork with backoff).
      await new Promise((r) => setTimeout(r, 2000));
      // The engine's own count of the container's tasks (Podman's compat /top answers nothing once the pids are used up).
      const stats = (await f.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false })) as { pids_stats?: { current?: number } };
      const processes = stats.pids_stats?.current ?? -1;
      t.diagnostic(`${engine.kind}: ${processes} tasks in the container at the limit of 64`);
      assert.ok(processes > 10, `the loop ran (${processes} tasks)`);
      assert.ok(processes <= 64, `at most 64 tasks, saw ${processes}`);
      const t0 = Date.now();
      await f.rt.stopContainer(id, 2);
      const took = Date.now() - t0;
      t.diagnostic(`${engine.kind}: stop took ${took} ms`);
      assert.ok(took < 5000, `stop took ${took} ms`);
      const st = await f.rt.inspectContainer(id);
      assert.equal(st?.running, false);
      const stderr = (await f.lines(id)).filter((l) => l.stream === 'stderr').map((l) => l.line);
      assert.ok(
        stderr.some((l) => /fork: (retry: )?Resource temporarily unavailable/.test(l)),
        `stderr: ${stderr.slice(0, 3).join(' | ')}`,
      );
    });

    it('kills a container that exceeds its memory limit, and reports it as OOM-killed', async (t) => {
      const id = await f.run(['sh', '-c', 'head -c 200m /dev/zero | tail'], { limits: { memoryBytes: 64 * MiB, cpus: 1, pids: 64 } });
      const exit = await f.rt.waitContainer(id);
      const st = await f.rt.inspectContainer(id);
      const raw = await f.docker.getContainer(id).inspect();
      t.diagnostic(`${engine.kind}: exit ${exit}, engine State.OOMKilled=${raw.State.OOMKilled}, adapter oomKilled=${st?.oomKilled}`);
      assert.equal(exit, 137);
      assert.equal(st?.exitCode, 137);
      assert.equal(st?.oomKilled, true);
      // Record what each engine itself says (see docs/runtime.md): Docker sets OOMKilled, from an event that can come
      // after the exit is seen (so it is waited for here); Podman 4.3 never does.
      if (engine.kind === 'docker') {
        let flagged = raw.State.OOMKilled;
        for (let i = 0; i < 50 && !flagged; i++) {
          await new Promise((r) => setTimeout(r, 100));
          flagged = (await f.docker.getContainer(id).inspect()).State.OOMKilled;
        }
        assert.equal(flagged, true);
      }
    });

    it('does not report an OOM kill for a container that stayed under its limit', async () => {
      const id = await f.run(['sh', '-c', 'head -c 20m /dev/zero | tail -c 1 >/dev/null; exit 0'], { limits: { memoryBytes: 64 * MiB, cpus: 1, pids: 64 } });
      assert.equal(await f.rt.waitContainer(id), 0);
      assert.equal((await f.rt.inspectContainer(id))?.oomKilled, false);
    });
  });
}
