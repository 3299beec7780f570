/**
 * image create's package names go into a root build: each must be a plain package name. Hostile ones (options,
 * paths, URLs, git references, shell) are refused naming the flag; good ones land in exec-form install steps that no
 * shell parses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkImageRef } from '../../src/app/image-catalog.ts';
import { isPaddockError } from '../../src/errors/index.ts';
import { checkPackages, customContainerfile, STACKS, stackTag } from '../../src/images/index.ts';

const refused = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => isPaddockError(e) && e.code === 'INVALID_INPUT' && re.test(e.message) && (e.hint ?? '').length > 0);

describe('package names for image create', () => {
  it('takes plain names with versions, and de-duplicates', () => {
    assert.deepEqual(checkPackages('apt', ['jq', 'python3-yaml', 'libstdc++6', 'jq=1.6-2.1', 'jq']), ['jq', 'python3-yaml', 'libstdc++6', 'jq=1.6-2.1']);
    assert.deepEqual(checkPackages('npm', ['typescript', '@types/node', 'prettier@3', 'eslint@^9.1.0', 'left-pad@latest']), [
      'typescript',
      '@types/node',
      'prettier@3',
      'eslint@^9.1.0',
      'left-pad@latest',
    ]);
    assert.deepEqual(checkPackages('pip', ['requests', 'pyyaml==6.0.1', 'uvicorn[standard]>=0.30', 'numpy>=1.26,<2']), ['requests', 'pyyaml==6.0.1', 'uvicorn[standard]>=0.30', 'numpy>=1.26,<2']);
  });

  it('refuses options, paths, URLs, git references and shell, naming the flag', () => {
    const hostile: Record<'apt' | 'npm' | 'pip', string[]> = {
      apt: ['-o=APT::Update::Pre-Invoke::=id', '--allow-unauthenticated', './evil.deb', '/tmp/x.deb', 'jq; id', 'jq && id', '$(id)', '`id`', 'Jq', 'j', 'jq\nid', 'http://x/y.deb', ''],
      npm: ['--unsafe-perm', 'file:../x', 'git+https://github.com/a/b', 'github:a/b', 'a/b', 'https://x/y.tgz', 'npm:evil@1', 'x@$(id)', 'x@1 y', '../x', '@scope', 'x@file:../y', 'x@>1|id'],
      pip: ['-e', '--index-url=http://x', 'git+https://x/y', './pkg', '/tmp/pkg', 'pkg @ https://x/y.whl', 'x; id', 'x==1 ; python_version>"3"', '-r requirements.txt', 'x[$(id)]', 'x==1 --pre'],
    };
    for (const [kind, names] of Object.entries(hostile) as ['apt' | 'npm' | 'pip', string[]][]) {
      for (const n of names) refused(() => checkPackages(kind, [n]), new RegExp(`^${kind}: .* is not an? ${kind} package name`));
    }
    refused(
      () =>
        checkPackages(
          'apt',
          Array.from({ length: 65 }, (_, i) => `pkg${i}`),
        ),
      /at most 64/,
    );
  });

  it('writes each kind as one exec-form step of the install script (no shell reads a name)', () => {
    const f = customContainerfile({ name: 'localhost/paddock-x:1', apt: ['jq', 'tree'], npm: ['@types/node@22'], pip: [] });
    assert.match(f, /^ARG BASE\nFROM \$\{BASE\}\nUSER root\n/m);
    assert.ok(f.includes('RUN ["/bin/sh","/tmp/paddock-build/paddock-install","apt","jq","tree"]'), f);
    assert.ok(f.includes('RUN ["/bin/sh","/tmp/paddock-build/paddock-install","npm","@types/node@22"]'), f);
    assert.ok(!f.includes('"pip"'), 'no pip step without pip packages');
    assert.match(f, /RUN rm -rf \/tmp\/paddock-build\nUSER agent\n$/);
  });

  it('stack tags and image names', () => {
    assert.deepEqual(
      STACKS.map(stackTag),
      ['node', 'python', 'go', 'rust', 'browser'].map((s) => `localhost/paddock-${s}:latest`),
    );
    for (const ok of ['python:3.12', 'localhost/paddock-python:latest', '127.0.0.1:5000/team/tool:1', 'a/b/c', 'sha256:' + 'a'.repeat(64), 'abcdef012345']) assert.equal(checkImageRef(ok), ok);
    for (const bad of ['Python', '../x', 'x y', 'x:tag with space', '-x', 'x/../y', '', 'a'.repeat(600)]) refused(() => checkImageRef(bad), /is not an image name/);
  });
});
