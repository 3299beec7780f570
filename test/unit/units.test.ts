import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, formatDuration, parseBytes, parseCpus, parseDuration, parsePids } from '../../src/config/index.ts';
import { isPaddockError } from '../../src/errors/index.ts';

const rejects = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => isPaddockError(e) && e.code === 'INVALID_INPUT' && re.test(e.message) && Boolean(e.hint));

describe('units', () => {
  it('parses sizes like the engines do', () => {
    assert.equal(parseBytes('512m'), 512 * 1024 ** 2);
    assert.equal(parseBytes('1g'), 1024 ** 3);
    assert.equal(parseBytes('1GB'), 1024 ** 3);
    assert.equal(parseBytes('2048k'), 2 * 1024 ** 2);
    assert.equal(parseBytes('1.5g'), 1.5 * 1024 ** 3);
    assert.equal(parseBytes(1000), 1000);
  });
  it('rejects bad sizes with the value and a hint', () => {
    rejects(() => parseBytes('1.5x'), /"1\.5x"/);
    rejects(() => parseBytes('-1'), /"-1"/);
    rejects(() => parseBytes('0'), /"0"/);
    rejects(() => parseBytes(''), /invalid/);
  });
  it('parses durations', () => {
    assert.equal(parseDuration('30m'), 30 * 60_000);
    assert.equal(parseDuration('90s'), 90_000);
    assert.equal(parseDuration('1h30m'), 90 * 60_000);
    assert.equal(parseDuration('45'), 45_000);
    assert.equal(parseDuration('500ms'), 500);
  });
  it('rejects bad durations', () => {
    rejects(() => parseDuration('-1'), /"-1"/);
    rejects(() => parseDuration('10x'), /"10x"/);
    rejects(() => parseDuration('m'), /"m"/);
    rejects(() => parseDuration('0s'), /"0s"/);
  });
  it('parses cpus and pids', () => {
    assert.equal(parseCpus('0.5'), 0.5);
    assert.equal(parseCpus(2), 2);
    rejects(() => parseCpus('-1'), /"-1"/);
    rejects(() => parseCpus('1.5x'), /"1\.5x"/);
    assert.equal(parsePids('512'), 512);
    rejects(() => parsePids('-1'), /"-1"/);
    rejects(() => parsePids('3'), /"3"/);
  });
  it('formats back', () => {
    assert.equal(formatBytes(512 * 1024 ** 2), '512m');
    assert.equal(formatBytes(1024 ** 3), '1g');
    assert.equal(formatDuration(30 * 60_000), '30m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(2 * 3600_000), '2h');
  });
});
