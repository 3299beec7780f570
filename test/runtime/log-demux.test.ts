/** The log demultiplexer and line splitter, on byte streams cut at every awkward place. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demuxLines, LogDemuxer } from '../../src/runtime/log-demux.ts';
import type { LogLine } from '../../src/runtime/index.ts';

function frame(type: 1 | 2 | 0, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function collect(chunks: Buffer[], multiplexed: boolean | 'auto' = 'auto'): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of demuxLines(chunks, multiplexed)) out.push(l);
  return out;
}

/** Cuts buf into pieces of the given size (the last may be shorter). */
function cut(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

const out = (line: string): LogLine => ({ stream: 'stdout', line });
const err = (line: string): LogLine => ({ stream: 'stderr', line });

describe('log demux', () => {
  const stream = Buffer.concat([
    frame(1, 'hello\nwor'),
    frame(2, 'oops\n'),
    frame(1, 'ld\n'),
    // "é" (c3 a9) and "€" (e2 82 ac) split across frames
    frame(1, Buffer.from([0x63, 0x61, 0x66, 0xc3])),
    frame(1, Buffer.from([0xa9, 0x20, 0xe2, 0x82])),
    frame(1, Buffer.from([0xac, 0x0a])),
    frame(2, 'no newline at the end'),
    frame(1, 'last'),
  ]);
  const expected = [out('hello'), err('oops'), out('world'), out('café €'), err('no newline at the end'), out('last')];

  it('splits frames into lines per stream, keeps partial lines, flushes them at the end in order', async () => {
    assert.deepEqual(await collect([stream]), expected);
  });

  it('gives the same lines whatever the chunk boundaries (every size from 1 to 40 bytes)', async () => {
    for (let size = 1; size <= 40; size++) assert.deepEqual(await collect(cut(stream, size)), expected, `chunks of ${size}`);
  });

  it('keeps empty lines and carriage returns', async () => {
    assert.deepEqual(await collect([frame(1, '\n\na\r\n')]), [out(''), out(''), out('a\r')]);
  });

  it('treats stream type 0 as output', async () => {
    assert.deepEqual(await collect([frame(0, 'x\n')]), [out('x')]);
  });

  it('passes a stream that is not multiplexed (a TTY) through as stdout', async () => {
    assert.deepEqual(await collect([Buffer.from('plain text\nmore')]), [out('plain text'), out('more')]);
    assert.deepEqual(await collect([Buffer.from('hi\n')]), [out('hi')]); // shorter than a header
    assert.deepEqual(await collect(cut(Buffer.from('plain text\nmore'), 3)), [out('plain text'), out('more')]);
    assert.deepEqual(await collect([frame(1, 'a\n')], false), [out('\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0002a')]);
  });

  it('handles a 200 KB line cut into 8 KiB frames, and 10k short lines', async () => {
    const big = `{"pad":"${'x'.repeat(200_000)}"}\n`;
    const frames = cut(Buffer.from(big), 8192).map((b) => frame(1, b));
    const many = Array.from({ length: 10_000 }, (_, i) => frame(i % 2 ? 2 : 1, `${i}\n`));
    const lines = await collect(cut(Buffer.concat([...frames, ...many]), 65536));
    assert.equal(lines.length, 10_001);
    assert.equal(lines[0]?.line, big.slice(0, -1));
    for (let i = 0; i < 10_000; i++) assert.deepEqual(lines[i + 1], { stream: i % 2 ? 'stderr' : 'stdout', line: String(i) });
  });

  it('carries on from a second read of the same log without repeating or losing lines', () => {
    const first = Buffer.concat([frame(1, 'one\ntw'), frame(2, 'e1\n')]);
    const full = Buffer.concat([frame(1, 'one\ntw'), frame(2, 'e1\n'), frame(1, 'o\nthree'), frame(2, 'e2\n')]);
    const d = new LogDemuxer();
    const lines = [...d.feed(first)];
    assert.deepEqual(lines, [out('one'), err('e1')]);
    lines.push(...d.restart());
    for (const c of cut(full, 5)) lines.push(...d.feed(c));
    lines.push(...d.end());
    assert.deepEqual(lines, [out('one'), err('e1'), out('two'), err('e2'), out('three')]);
  });

  it('a second read that holds nothing new adds nothing', () => {
    const log = Buffer.concat([frame(1, 'a\nb')]);
    const d = new LogDemuxer();
    const lines = [...d.feed(log), ...d.restart(), ...d.feed(log), ...d.end()];
    assert.deepEqual(lines, [out('a'), out('b')]);
  });
});

describe('line cap (issue 14: one endless line must not take supervision down)', () => {
  it('cuts a line at maxLineChars, counts the rest, and the next line is whole', () => {
    const d = new LogDemuxer(true, 10);
    const lines = [...d.feed(frame(1, 'abcdefghijklmnop')), ...d.feed(frame(1, 'qrstuvwxyz\nok\n')), ...d.end()];
    assert.deepEqual(lines, [{ stream: 'stdout', line: 'abcdefghij', droppedChars: 16 }, out('ok')]);
  });

  it('a 600 MiB line in 64 KiB frames costs bounded memory and comes out cut at the default 1 Mi characters', () => {
    const d = new LogDemuxer(true);
    const chunk = frame(1, Buffer.alloc(64 * 1024, 0x61));
    let lines: LogLine[] = [];
    for (let i = 0; i < (600 * 1024) / 64; i++) lines.push(...d.feed(chunk));
    lines = [...lines, ...d.feed(frame(1, '\nafter\n')), ...d.end()];
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.line.length, 1024 * 1024);
    assert.equal(lines[0]?.droppedChars, 600 * 1024 * 1024 - 1024 * 1024);
    assert.deepEqual(lines[1], out('after'));
  });

  it('an unterminated cut line is flushed at the end with its count', () => {
    const d = new LogDemuxer(true, 4);
    const lines = [...d.feed(frame(2, 'abcdefg')), ...d.end()];
    assert.deepEqual(lines, [{ stream: 'stderr', line: 'abcd', droppedChars: 3 }]);
  });
});

describe('a log the engine cut (its max size)', () => {
  it('plain reads after the cut pass on everything written since, once', () => {
    const d = new LogDemuxer(true);
    const first = Buffer.concat([frame(1, 'a\n'), frame(1, 'b\n')]);
    const lines = [...d.feed(first), ...d.restart({ detectCut: true })];
    // The engine emptied the file; "c" was written after the cut: the read that finds it shorter skips it, the next passes it on.
    lines.push(...d.feed(frame(1, 'c\n')), ...d.restart({ detectCut: true }));
    assert.equal(d.truncations, 1);
    lines.push(...d.feed(Buffer.concat([frame(1, 'c\n'), frame(1, 'd\n')])), ...d.restart({ detectCut: true }), ...d.end());
    assert.deepEqual(lines, [out('a'), out('b'), out('c'), out('d')]);
  });
});
