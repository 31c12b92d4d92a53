// Text fitted to a column before a table sees it: the budget, the word wrap and the widths the
// wrap counts with, checked against string-width (what cli-table3 pads and cuts with).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CELL_BUDGET, budget, codePointWidth, displayWidth, splitWord, wrap } from '../../src/report/fit.js';
import { stripAnsi } from '../../src/report/color.js';

const require = createRequire(import.meta.url);
const stringWidth = require('string-width') as (s: string) => number;

describe('budget', () => {
  it('leaves text within the budget alone', () => {
    expect(budget('a'.repeat(CELL_BUDGET))).toBe('a'.repeat(CELL_BUDGET));
  });

  it('cuts at the budget and counts the bytes left out', () => {
    const out = budget(`${'a'.repeat(600)}${'é'.repeat(10)}`);
    expect(out).toBe(`${'a'.repeat(512)}… 108 more bytes, see --json`); // 88 + 10 × 2
  });

  it('counts characters, not colour codes, and never cuts inside one', () => {
    const red = `\u001b[31m${'x'.repeat(600)}\u001b[39m`;
    const out = budget(red, 10);
    expect(out).toBe(`\u001b[31m${'x'.repeat(10)}… 590 more bytes, see --json`);
    expect(budget(`\u001b[31mab\u001b[39m`, 2)).toBe(`\u001b[31mab\u001b[39m`);
  });

  it('keeps a surrogate pair whole', () => {
    expect(budget('😀😀😀', 2)).toBe('😀😀… 4 more bytes, see --json');
  });
});

describe('splitWord', () => {
  it('breaks before "[" first, else after a separator, else hard', () => {
    expect(splitWord('mx1.example.com[192.0.2.1]:25', 20)).toEqual(['mx1.example.com', '[192.0.2.1]:25']);
    expect(splitWord('ECDHE-RSA-AES256-GCM-SHA384', 17)).toEqual(['ECDHE-RSA-AES256-', 'GCM-SHA384']);
    expect(splitWord('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(splitWord('short', 5)).toEqual(['short']);
  });

  it('counts columns: wide characters take two', () => {
    expect(splitWord('日本語テキスト', 6)).toEqual(['日本語', 'テキス', 'ト']);
  });

  it('never cuts a colour code and loses nothing', () => {
    const word = `\u001b[31m${'abc-'.repeat(30)}\u001b[39m`;
    const pieces = splitWord(word, 10);
    expect(pieces.join('')).toBe(word);
    for (const p of pieces) {
      expect(displayWidth(p)).toBeLessThanOrEqual(10);
      expect(stripAnsi(p)).not.toMatch(/\u001b/);
    }
  });

  it('takes a character wider than the column on its own rather than loop', () => {
    expect(splitWord('日日', 1)).toEqual(['日', '日']);
  });
});

describe('wrap', () => {
  it('wraps at spaces, greedily, and breaks words wider than the column', () => {
    expect(wrap('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
    expect(wrap('see mx1.example.com[192.0.2.1]:25 now', 20)).toEqual(['see mx1.example.com', '[192.0.2.1]:25 now']);
    expect(wrap(`ab ${'x'.repeat(25)} cd`, 10)).toEqual(['ab', 'xxxxxxxxxx', 'xxxxxxxxxx', 'xxxxx cd']);
  });

  it('keeps the text\'s own lines and drops empty ones, as a table cell does', () => {
    expect(wrap('one\n\ntwo three', 5)).toEqual(['one', 'two', 'three']);
    expect(wrap('', 5)).toEqual([]);
  });

  it('keeps the spaces between words on a line and an indented first line', () => {
    expect(wrap('a  b', 10)).toEqual(['a  b']);
    expect(wrap('  indented', 20)).toEqual(['  indented']);
  });

  it('drops trailing spaces whether the line fits or is wrapped', () => {
    expect(wrap('Bye  ', 10)).toEqual(['Bye']);
    expect(wrap('   ', 10)).toEqual([]);
    expect(wrap('Bye  \nnow ', 10)).toEqual(['Bye', 'now']);
    expect(wrap(`${'x'.repeat(12)}  `, 10)).toEqual(['xxxxxxxxxx', 'xx']);
  });

  it('every line fits and the words come out in order', () => {
    const words = Array.from({ length: 400 }, (_, i) => 'w'.repeat(1 + ((i * 7) % 31)));
    const lines = wrap(words.join(' '), 23);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(23);
    expect(lines.join(' ').split(' ').join('')).toBe(words.join(''));
  });

  it('closes colour at the end of a line and reopens it on the next', () => {
    const lines = wrap(`\u001b[31m${'red '.repeat(10).trim()}\u001b[39m plain`, 12);
    expect(lines[0]).toBe('\u001b[31mred red red\u001b[39m');
    expect(lines[1]).toBe('\u001b[31mred red red\u001b[39m');
    expect(lines.at(-1)).toBe('\u001b[31mred\u001b[39m plain');
    expect(lines.map(stripAnsi).join(' ')).toBe(`${'red '.repeat(10).trim()} plain`);
  });
});

describe('widths', () => {
  // A line the wrap calls fitting must not be cut by cli-table3, which measures with string-width.
  it('a code point is never narrower for us than for string-width (every BMP code point)', () => {
    const narrower: string[] = [];
    for (let cp = 0x20; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (codePointWidth(cp) < stringWidth(ch)) narrower.push(cp.toString(16));
    }
    expect(narrower).toEqual([]);
  });

  it('astral code points and emoji sequences are never narrower for us', () => {
    for (const s of ['😀', '👍🏽', '🇩🇪', '1️⃣', '©️', '𝐀', '𠀀', '🏳️‍🌈']) expect(displayWidth(s)).toBeGreaterThanOrEqual(stringWidth(s));
  });

  it('the narrow class is one column per character for string-width, alone and mixed', () => {
    const narrow: string[] = [];
    for (let cp = 0x20; cp <= 0xffff; cp++) {
      const ch = String.fromCodePoint(cp);
      if (cp < 0xd800 || cp > 0xdfff) if (displayWidth(ch) === 1 && /^[\x20-\x7e\u00a0-\u00a8\u00aa-\u00ad\u00af-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u203b\u203d-\u2048\u204a-\u205e\u20a0-\u20c0\u2190-\u2193\u2500-\u257f]$/.test(ch)) narrow.push(ch);
    }
    expect(narrow.length).toBeGreaterThan(1000);
    for (const ch of narrow) expect(stringWidth(ch), ch.codePointAt(0)!.toString(16)).toBe(1);
    // Random strings of the class: no sequence of them is an emoji either.
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 2000; n++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => narrow[Math.floor(rnd() * narrow.length)]).join('');
      expect(stringWidth(s)).toBe(s.length);
      expect(displayWidth(s)).toBe(s.length);
    }
  });
});
