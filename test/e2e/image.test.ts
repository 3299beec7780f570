import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paddockEnv } from './harness.ts';

describe('paddock image build', () => {
  it('skips an up-to-date image, rebuilds it with --force, and shows progress', async (t) => {
    const e = await paddockEnv(t);
    const first = await e.cli(['image', 'build']);
    assert.equal(first.code, 0, first.stderr);
    const skipped = await e.cli(['image', 'build']);
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stderr, /is up to date \(recipe [0-9a-f]{12}\)/);
    const before = await e.engine.getImage('localhost/paddock-agent:latest').inspect();
    const forced = await e.cli(['image', 'build', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /building localhost\/paddock-agent:latest FROM localhost\/paddock-base:bookworm/);
    assert.match(forced.stderr, /built localhost\/paddock-agent:latest in [\d.]+ s/);
    const after = await e.engine.getImage('localhost/paddock-agent:latest').inspect();
    assert.equal(after.Config.Labels?.['dev.paddock.recipe'], before.Config.Labels?.['dev.paddock.recipe'], 'same recipe, same label');
    assert.equal(after.Config.Labels?.['dev.paddock.claude-code'], '2.1.332');
  });
});
