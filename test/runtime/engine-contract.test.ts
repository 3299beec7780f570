/**
 * The ContainerRuntime contract, run for real against each engine (Podman's and Docker's API sockets).
 * An engine is skipped only when its socket is absent or does not answer.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-fs';
import { ErrorCode, isPaddockError } from '../../src/errors/index.ts';
import { DockerEngineRuntime, LABEL } from '../../src/runtime/index.ts';
import { ENGINES, EngineFixture, FIXTURE_DIR, skipReason } from './engine-fixture.ts';

for (const engine of ENGINES) {
  const skip = await skipReason(engine.socket);
  describe(`runtime contract on ${engine.kind}`, { skip: skip ?? false }, () => {
    let f: EngineFixture;
    before(async () => {
      f = await EngineFixture.open(engine.socket);
      await f.buildTestImage();
    });
    after(async () => {
      await f?.cleanup();
    });

    it('connects and describes the engine', async () => {
      assert.equal(f.rt.info.kind, engine.kind);
      assert.equal(f.rt.info.socketPath, engine.socket);
      assert.match(f.rt.info.apiVersion, /^\d+\.\d+/);
      assert.notEqual(f.rt.info.version, 'unknown');
      await f.rt.ping();
    });

    it('creates, starts, logs, waits, inspects and removes a container', async () => {
      const id = await f.run(['sh', '-c', 'echo out-1; echo err-1 >&2; echo out-2; exit 3']);
      assert.equal(await f.rt.waitContainer(id), 3);
      // Waiting again on a stopped container answers at once.
      assert.equal(await f.rt.waitContainer(id), 3);
      const lines = await f.lines(id);
      assert.deepEqual(
        lines.filter((l) => l.stream === 'stdout').map((l) => l.line),
        ['out-1', 'out-2'],
      );
      assert.deepEqual(
        lines.filter((l) => l.stream === 'stderr').map((l) => l.line),
        ['err-1'],
      );

      const st = await f.rt.inspectContainer(id);
      assert.ok(st);
      assert.equal(st.id.startsWith(id) || id.startsWith(st.id), true);
      assert.equal(st.status, 'exited');
      assert.equal(st.running, false);
      assert.equal(st.exitCode, 3);
      assert.equal(st.oomKilled, false);
      assert.equal(st.image, f.image);
      assert.equal(st.labels[LABEL.instance], f.instance);
      assert.match(st.name, new RegExp(`^paddock-${f.instance}-c-\\d+$`));
      assert.ok(st.startedAt instanceof Date && st.finishedAt instanceof Date);
      // Not ordered: for a process this short, both engines may record the start after the exit.
      for (const d of [st.startedAt, st.finishedAt]) assert.ok(Math.abs(Date.now() - d.getTime()) < 120_000, `a recent time: ${d.toISOString()}`);

      await f.rt.removeContainer(id);
      assert.equal(await f.rt.inspectContainer(id), undefined);
      await f.rt.removeContainer(id); // gone already: no error
    });

    it('reports a created, never started container without exit code or dates', async () => {
      const id = await f.run(['true'], {}, { start: false });
      const st = await f.rt.inspectContainer(id);
      assert.ok(st);
      assert.equal(st.status, 'created');
      assert.equal(st.running, false);
      assert.equal(st.exitCode, null);
      assert.equal(st.startedAt, null);
      assert.equal(st.finishedAt, null);
    });

    it('answers undefined for a container that does not exist', async () => {
      assert.equal(await f.rt.inspectContainer(`paddock-${f.instance}-nope`), undefined);
    });

    it('streams 10k lines and 200 KB JSON lines intact and in order, following a running container', async () => {
      // 10k numbered lines, then three JSON lines of ~200 KB on stdout interleaved with stderr, then a last line
      // without a newline (it must still come through, at the end).
      const script = ['seq 1 10000', 'for i in 1 2 3; do printf \'{"i":%s,"pad":"\' $i; head -c 200000 /dev/zero | tr "\\0" x; printf \'"}\\n\'; echo "e$i" >&2; done', 'printf "the-end"'].join('; ');
      const id = await f.run(['sh', '-c', script]);
      const followed = await f.lines(id, true);
      const check = (lines: typeof followed, how: string) => {
        const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.line);
        const err = lines.filter((l) => l.stream === 'stderr').map((l) => l.line);
        assert.equal(out.length, 10_004, `${how}: stdout line count`);
        for (let i = 0; i < 10_000; i++) if (out[i] !== String(i + 1)) assert.fail(`${how}: line ${i} is ${out[i]}`);
        for (let i = 1; i <= 3; i++) {
          const line = out[10_000 + i - 1] ?? '';
          assert.equal(line.length, 200_016, `${how}: JSON line ${i} length`);
          const parsed = JSON.parse(line) as { i: number; pad: string };
          assert.equal(parsed.i, i);
          assert.equal(parsed.pad.length, 200_000);
        }
        assert.equal(out[10_003], 'the-end', `${how}: the unterminated last line`);
        assert.deepEqual(err, ['e1', 'e2', 'e3'], `${how}: stderr`);
      };
      check(followed, 'followed');
      assert.equal(await f.rt.waitContainer(id), 0);
      // Read again, from the stored log of the exited container, with and without follow.
      check(await f.lines(id, false), 'stored');
      check(await f.lines(id, true), 'stored, follow');
    });

    it("follows fast writers exactly while the machine is busy (Podman's own follow stream drops lines then)", async () => {
      // Two CPU burners (bounded: they stop themselves after 20 s, and are removed at the end of the test).
      const burners = await Promise.all([1, 2].map(() => f.run(['sh', '-c', 'end=$(($(date +%s)+20)); while [ $(date +%s) -lt $end ]; do :; done'])));
      const writers = await Promise.all([1, 2, 3].map(() => f.run(['sh', '-c', 'seq 1 10000; printf end'])));
      const results = await Promise.all(writers.map((id) => f.lines(id, true)));
      for (const lines of results) {
        assert.equal(lines.length, 10_001);
        for (let i = 0; i < 10_000; i++) if (lines[i]?.line !== String(i + 1)) assert.fail(`line ${i} is ${lines[i]?.line}`);
        assert.equal(lines[10_000]?.line, 'end');
      }
      for (const id of [...burners, ...writers]) await f.rt.removeContainer(id);
    });

    it('ends a followed log when the container stops, with output written after following began', async () => {
      const id = await f.run(['sh', '-c', 'sleep 0.5; echo a; sleep 0.5; echo b >&2; printf c']);
      const started = Date.now();
      const lines = await f.lines(id, true);
      assert.deepEqual(lines, [
        { stream: 'stdout', line: 'a' },
        { stream: 'stderr', line: 'b' },
        { stream: 'stdout', line: 'c' },
      ]);
      assert.ok(Date.now() - started < 10_000);
    });

    it('stops iterating logs when the signal is aborted', async () => {
      const id = await f.run(['sh', '-c', 'echo first; exec sleep 1000']);
      const ac = new AbortController();
      const seen: string[] = [];
      const started = Date.now();
      for await (const l of f.rt.logs(id, { follow: true, signal: ac.signal })) {
        seen.push(l.line);
        ac.abort();
      }
      assert.deepEqual(seen, ['first']);
      assert.ok(Date.now() - started < 5000, 'the iteration ended promptly');
      // An already aborted signal yields nothing.
      for await (const _ of f.rt.logs(id, { follow: true, signal: ac.signal })) assert.fail('no lines after abort');
      await f.rt.removeContainer(id);
    });

    it('stops a sleeping container within 5 s, and a second stop is no error', async () => {
      // The script prints once its trap is set, so SIGTERM cannot arrive before anything inside can handle it
      // (a signal to a process that has not set up its handlers yet is ignored, and the engine SIGKILLs after the grace).
      const id = await f.run(['bash', '-c', 'trap "exit 143" TERM; echo ready; while :; do sleep 1; done']);
      for await (const l of f.rt.logs(id, { follow: true })) if (l.line === 'ready') break;
      const t0 = Date.now();
      await f.rt.stopContainer(id, 3);
      const took = Date.now() - t0;
      assert.ok(took < 5000, `stop took ${took} ms`);
      const st = await f.rt.inspectContainer(id);
      assert.equal(st?.running, false);
      assert.equal(st?.status, 'exited');
      // tini forwarded SIGTERM to the script: 143, not a SIGKILL after the grace period.
      assert.equal(st?.exitCode, 143);
      assert.equal(st?.oomKilled, false);
      await f.rt.stopContainer(id, 3);
      await f.rt.removeContainer(id);
      await f.rt.stopContainer(id, 3); // gone: no error either
    });

    it('a stop that has to SIGKILL (exit 137) is not taken for an OOM kill', async () => {
      const id = await f.run(['sh', '-c', 'trap "" TERM; while :; do sleep 1; done']);
      await new Promise((r) => setTimeout(r, 300)); // let sh install its trap
      await f.rt.stopContainer(id, 1);
      const st = await f.rt.inspectContainer(id);
      assert.equal(st?.exitCode, 137);
      assert.equal(st?.oomKilled, false);
    });

    it('lists containers by labels, running or not', async () => {
      const runA = `a${f.instance}`;
      const runB = `b${f.instance}`;
      const a = await f.run(['sleep', '1000'], { runId: runA });
      const b = await f.run(['true'], { runId: runB }, { start: false });
      const mine = await f.rt.listContainers({ [LABEL.instance]: f.instance, [LABEL.run]: runA });
      assert.deepEqual(
        mine.map((c) => c.id),
        [a],
      );
      assert.equal(mine[0]?.running, true);
      assert.equal(mine[0]?.status, 'running');
      assert.equal(mine[0]?.labels[LABEL.run], runA);
      assert.match(mine[0]?.name ?? '', /^paddock-/);
      const onlyB = await f.rt.listContainers({ [LABEL.instance]: f.instance, [LABEL.run]: runB });
      assert.deepEqual(
        onlyB.map((c) => [c.id, c.running, c.status]),
        [[b, false, 'created']],
      );
      const both = await f.rt.listContainers({ [LABEL.instance]: f.instance, [LABEL.kind]: 'agent' });
      assert.ok([a, b].every((id) => both.some((c) => c.id === id)));
      assert.deepEqual(await f.rt.listContainers({ [LABEL.instance]: `${f.instance}-other` }), []);
      await f.rt.removeContainer(a);
      await f.rt.removeContainer(b);
    });

    it('creates, lists by labels and removes volumes', async () => {
      const name = f.name('vol');
      f.trackVolume(name);
      await f.rt.createVolume(name, f.labels('session-home', { session: 'sess-1' }));
      const listed = await f.rt.listVolumes({ [LABEL.instance]: f.instance, [LABEL.session]: 'sess-1' });
      assert.deepEqual(
        listed.map((v) => v.name),
        [name],
      );
      assert.equal(listed[0]?.labels[LABEL.kind], 'session-home');
      assert.deepEqual(await f.rt.listVolumes({ [LABEL.instance]: f.instance, [LABEL.session]: 'sess-2' }), []);
      await f.rt.removeVolume(name);
      assert.deepEqual(await f.rt.listVolumes({ [LABEL.instance]: f.instance, [LABEL.session]: 'sess-1' }), []);
      await f.rt.removeVolume(name); // gone: no error
    });

    it('refuses to remove a volume in use, with a Conflict', async () => {
      const vol = await f.volume();
      const id = await f.run(['sleep', '1000'], { sessionVolume: vol });
      await assert.rejects(f.rt.removeVolume(vol), (e) => isPaddockError(e) && e.code === ErrorCode.Conflict);
      await f.rt.removeContainer(id);
      await f.rt.removeVolume(vol);
    });

    it('lists networks by labels and removes them', async () => {
      // The port has no createNetwork yet; make an internal one (explicit subnet, no outside access) with the raw client.
      const octet = 100 + Math.floor(Math.random() * 100);
      const net = await f.docker.createNetwork({
        Name: f.name('net'),
        Internal: true,
        Labels: f.labels('network'),
        IPAM: { Config: [{ Subnet: `10.213.${octet}.0/24` }] },
      });
      f.trackNetwork(net.id);
      const listed = await f.rt.listNetworks({ [LABEL.instance]: f.instance });
      assert.deepEqual(
        listed.map((n) => n.id),
        [net.id],
      );
      assert.equal(listed[0]?.labels[LABEL.kind], 'network');
      await f.rt.removeNetwork(net.id);
      assert.deepEqual(await f.rt.listNetworks({ [LABEL.instance]: f.instance }), []);
      await f.rt.removeNetwork(net.id); // gone: no error
    });

    it('builds an image with build args and labels, reporting progress, and removes it', async () => {
      const tag = `localhost/paddock-rt-build:${f.instance}`;
      f.trackImage(tag);
      const progress: string[] = [];
      await f.rt.buildImage({ contextDir: FIXTURE_DIR, containerfile: 'Containerfile', tag, buildArgs: { MARK: f.instance }, labels: { ...f.labels('image'), 'dev.paddock.test': 'yes' } }, (l) =>
        progress.push(l),
      );
      assert.ok(
        progress.some((l) => /^(STEP|Step) \d/.test(l)),
        `progress lines: ${progress.slice(0, 5).join(' | ')}`,
      );
      assert.ok(progress.every((l) => !l.includes('\n') && l.trim() !== ''));
      assert.equal(await f.rt.imageExists(tag), true);
      const inspected = await f.docker.getImage(tag).inspect();
      assert.equal(inspected.Config.Labels?.['dev.paddock.test'], 'yes');
      assert.equal(inspected.Config.Labels?.[LABEL.instance], f.instance);
      // The build arg reached the RUN step.
      const id = await f.run(['cat', '/built-with'], { image: tag });
      await f.rt.waitContainer(id);
      assert.deepEqual(
        (await f.lines(id)).map((l) => l.line),
        [f.instance],
      );
      await f.rt.removeContainer(id);
      await f.rt.removeImage(tag);
      assert.equal(await f.rt.imageExists(tag), false);
      await f.rt.removeImage(tag); // gone: no error
    });

    it("fails a build whose RUN step fails, with the engine's error text", async () => {
      const tag = `localhost/paddock-rt-failing:${f.instance}`;
      f.trackImage(tag);
      const progress: string[] = [];
      await assert.rejects(
        f.rt.buildImage({ contextDir: FIXTURE_DIR, containerfile: 'Failing.Containerfile', tag }, (l) => progress.push(l)),
        (e) => {
          assert.ok(isPaddockError(e));
          assert.equal(e.code, ErrorCode.Internal);
          // Docker: "The command '/bin/sh -c …' returned a non-zero code: 3"; Podman: "… exit status 3".
          assert.match(e.message, /exit (status|code)? ?3|non-zero code: 3/);
          assert.ok(e.hint);
          return true;
        },
      );
      assert.ok(progress.includes('about to fail'), "the failing step's output was reported");
      assert.equal(await f.rt.imageExists(tag), false);
    });

    it('rejects a build whose Containerfile is not in the context', async () => {
      await assert.rejects(
        f.rt.buildImage({ contextDir: FIXTURE_DIR, containerfile: 'Nope.Containerfile', tag: `localhost/paddock-rt-nope:${f.instance}` }),
        (e) => isPaddockError(e) && e.code === ErrorCode.InvalidInput,
      );
    });

    it('imports a root filesystem tarball under the given name', async () => {
      const root = f.tempDir('rootfs');
      mkdirSync(join(root, 'etc'));
      writeFileSync(join(root, 'etc', 'paddock-import'), `${f.instance}\n`);
      const tarball = join(f.tempDir('tarball'), 'rootfs.tar');
      await pipeline(tar.pack(root), createWriteStream(tarball));
      const ref = `localhost/paddock-rt-import:${f.instance}`;
      f.trackImage(ref);
      const progress: string[] = [];
      await f.rt.importImage(createReadStream(tarball), ref, (l) => progress.push(l));
      assert.equal(await f.rt.imageExists(ref), true);
      assert.ok(progress.length > 0);
      const inspected = await f.docker.getImage(ref).inspect();
      assert.ok(inspected.RepoTags?.includes(ref), `tags: ${inspected.RepoTags?.join(', ')}`);
      await f.rt.removeImage(ref);
      assert.equal(await f.rt.imageExists(ref), false);
    });

    it('maps a missing image to ImageNotFound with a hint, without pulling', async () => {
      const spec = await f.spec(['true'], { image: `localhost/paddock-rt-missing:${f.instance}` });
      await assert.rejects(f.rt.createContainer(spec), (e) => {
        assert.ok(isPaddockError(e));
        assert.equal(e.code, ErrorCode.ImageNotFound);
        assert.match(e.hint ?? '', /paddock image build/);
        return true;
      });
      assert.equal(await f.rt.imageExists(`localhost/paddock-rt-missing:${f.instance}`), false);
    });

    it('maps a name already in use to Conflict', async () => {
      const name = f.name('dup');
      await f.run(['true'], { name }, { start: false });
      await assert.rejects(f.run(['true'], { name }, { start: false }), (e) => isPaddockError(e) && e.code === ErrorCode.Conflict);
    });
  });
}

describe('runtime errors without an engine', () => {
  it('connect to a socket that does not exist → EngineUnavailable with a hint', async () => {
    await assert.rejects(DockerEngineRuntime.connect('/nonexistent/paddock-test.sock'), (e) => {
      assert.ok(isPaddockError(e));
      assert.equal(e.code, ErrorCode.EngineUnavailable);
      assert.match(e.message, /\/nonexistent\/paddock-test\.sock/);
      assert.match(e.hint ?? '', /npm run up/);
      return true;
    });
  });

  it('an adapter whose engine went away → EngineUnavailable on every call', async () => {
    const rt = new DockerEngineRuntime({ kind: 'docker', socketPath: '/nonexistent/paddock-test.sock', version: '', apiVersion: '', rootless: false });
    await assert.rejects(rt.ping(), (e) => isPaddockError(e) && e.code === ErrorCode.EngineUnavailable);
    await assert.rejects(rt.listContainers({}), (e) => isPaddockError(e) && e.code === ErrorCode.EngineUnavailable);
    await assert.rejects(rt.inspectContainer('x'), (e) => isPaddockError(e) && e.code === ErrorCode.EngineUnavailable);
  });
});
