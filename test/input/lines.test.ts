// The streaming line reader: the same lines and numbers as the whole-text parser, whatever the
// chunking; bounded memory for lines without an end.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines, type Line } from '../../src/input/lines.js';
import { parseDestinationList } from '../../src/destination.js';

async function collect(chunks: (string | Buffer)[], max?: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const batch of readLines(Readable.from(chunks), max)) out.push(...batch);
  return out;
}

/** Every way to cut `text` in two (and byte by byte). */
function cuts(text: string): (string | Buffer)[][] {
  const bytes = Buffer.from(text);
  const out: (string | Buffer)[][] = [[text], [...bytes].map((b) => Buffer.from([b]))];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return out;
}

describe('readLines', () => {
  it.each([
    ['LF', 'a\nb\n', [[1, 'a'], [2, 'b']]],
    ['CRLF', 'a\r\nb\r\n', [[1, 'a'], [2, 'b']]],
    ['CR', 'a\rb\r', [[1, 'a'], [2, 'b']]],
    ['no final newline', 'a\nb', [[1, 'a'], [2, 'b']]],
    ['blank lines keep their numbers', '\n\na\n\n', [[1, ''], [2, ''], [3, 'a'], [4, '']]],
    ['BOM dropped', '\uFEFFa\nb', [[1, 'a'], [2, 'b']]],
    ['mixed endings', 'a\r\nb\nc\rd', [[1, 'a'], [2, 'b'], [3, 'c'], [4, 'd']]],
    ['UTF-8 across chunks', 'ä.example\n€\n', [[1, 'ä.example'], [2, '€']]],
    ['empty input', '', []],
  ])('%s, however the stream is cut', async (_name, text, expected) => {
    for (const chunks of cuts(text)) {
      expect((await collect(chunks)).map((l) => [l.line, l.text]), JSON.stringify(chunks.map(String))).toEqual(expected);
    }
  });

  it('gives the lines parseDestinationList reads, with the same numbers', async () => {
    const text = '# list\r\nexample.com\n\nbad[host\r[127.0.0.1]:2525 # trailing\nx:99999';
    const whole = parseDestinationList(text);
    const lines = await collect(cuts(text)[1]);
    expect(whole.destinations.map((d) => d.line)).toEqual([2, 5]);
    expect(whole.errors.map((e) => e.line)).toEqual([4, 6]);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reports an over-long line once, skips to its end, and goes on', async () => {
    const long = 'x'.repeat(100);
    const lines = await collect(['a\n', long.slice(0, 40), long.slice(40), '\nb\n'], 30);
    expect(lines).toEqual([{ line: 1, text: 'a' }, { line: 2, text: null }, { line: 3, text: 'b' }]);
    const inOne = await collect([`a\n${long}\nb`], 30);
    expect(inOne).toEqual([{ line: 1, text: 'a' }, { line: 2, text: null }, { line: 3, text: 'b' }]);
  });

  it('holds no more than the limit for a stream without newlines', async () => {
    async function* endless() {
      for (let i = 0; i < 2000; i++) yield Buffer.alloc(1024, 0x61);
    }
    const seen: Line[] = [];
    for await (const batch of readLines(endless(), 4096)) seen.push(...batch);
    expect(seen).toEqual([{ line: 1, text: null }]);
  });
});
