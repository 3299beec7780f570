import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderCliDocs } from '../../scripts/gen-cli-docs.ts';

it("docs/cli.md is the CLI's real --help (regenerate: node scripts/gen-cli-docs.ts)", () => {
  assert.equal(readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8'), renderCliDocs());
});
