/** Reading build/import progress streams as Docker and Podman send them (recorded shapes from both engines). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readProgress } from '../../src/runtime/progress-stream.ts';

async function read(chunks: (string | Buffer)[]) {
  const lines: string[] = [];
  const result = await readProgress(chunks, (l) => lines.push(l));
  return { lines, ...result };
}

describe('progress stream', () => {
  it('joins Docker\'s split "stream" messages into lines and reads aux ids', async () => {
    const docker = [
      '{"stream":"Step 1/2 : FROM localhost/paddock-base:bookworm"}\r\n',
      '{"stream":"\\n"}\r\n',
      '{"stream":" ---\\u003e 2facec87b8f3\\n"}\r\n',
      '{"aux":{"ID":"sha256:5aa90532fd810c2dfdf8f952abfbacd022e27c6e9957ea860d004da7d1149534"}}\r\n',
      '{"stream":"Successfully built 5aa90532fd81\\n"}\r\n',
    ];
    const r = await read([docker.join('')]);
    assert.deepEqual(r.lines, ['Step 1/2 : FROM localhost/paddock-base:bookworm', ' ---> 2facec87b8f3', 'Successfully built 5aa90532fd81']);
    assert.equal(r.error, undefined);
    assert.equal(r.imageId, 'sha256:5aa90532fd810c2dfdf8f952abfbacd022e27c6e9957ea860d004da7d1149534');
  });

  it("reports Docker's and Podman's in-stream build errors", async () => {
    const docker = await read([
      '{"stream":"hello\\n"}\r\n{"errorDetail":{"code":3,"message":"The command \'/bin/sh -c exit 3\' returned a non-zero code: 3"},"error":"The command \'/bin/sh -c exit 3\' returned a non-zero code: 3"}\r\n',
    ]);
    assert.deepEqual(docker.lines, ['hello']);
    assert.equal(docker.error, "The command '/bin/sh -c exit 3' returned a non-zero code: 3");
    const podman = await read([
      '{"stream":"STEP 2/3: RUN exit 3\\n"}\n{"errorDetail":{"message":"building at STEP \\"RUN exit 3\\": while running runtime: exit status 3\\n"},"error":"building at STEP \\"RUN exit 3\\": while running runtime: exit status 3\\n"}\n',
    ]);
    assert.deepEqual(podman.lines, ['STEP 2/3: RUN exit 3']);
    assert.equal(podman.error, 'building at STEP "RUN exit 3": while running runtime: exit status 3');
  });

  it('reads import status lines and the image id from them', async () => {
    const id = 'sha256:db2ce0c7f8bc58bb9bf4ae15cb0dd01f3383be2434147c0c3cbd392f06d75f20';
    const podman = await read([`{"status":"${id}","progress":"","progressDetail":{},"id":"${id}"}\n`]);
    assert.deepEqual(podman.lines, [id]);
    assert.equal(podman.imageId, id);
    const docker = await read([`{"status":"${id}"}\r\n`]);
    assert.equal(docker.imageId, id);
  });

  it('copes with messages and UTF-8 characters cut across chunks, and with non-JSON lines', async () => {
    const text = Buffer.from('{"stream":"naïve café\\n"}\nnot json at all\n{"status":"Downloading","id":"abc","progress":"[=> ] 1MB"}');
    const chunks: Buffer[] = [];
    for (let i = 0; i < text.length; i += 3) chunks.push(text.subarray(i, i + 3));
    const r = await read(chunks);
    assert.deepEqual(r.lines, ['naïve café', 'not json at all', 'abc: Downloading [=> ] 1MB']);
  });

  it('flushes a last stream text without newline', async () => {
    assert.deepEqual((await read(['{"stream":"tail"}'])).lines, ['tail']);
  });
});
