// safeJson over every control character a JSON encoder may write, short escapes included
// (JSON.stringify writes \b \f \n \r \t for those five, \u00XX for the other C0 controls):
// after JSON.parse, what `jq -r` would print holds no raw control but the LF and TAB that join
// reply lines.
import { describe, expect, it } from 'vitest';
import { safeJson } from '../../src/report/sanitize.js';

const controls = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0x61c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
  0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029, 0xfeff,
].map((cp) => String.fromCodePoint(cp));

describe('safeJson', () => {
  it.each(controls.map((c) => [c.codePointAt(0)!.toString(16), c]))('U+%s comes out as a visible escape', (_hex, c) => {
    for (const json of [JSON.stringify({ s: `a${c}b` }), JSON.stringify({ s: `a${c}b` }, null, 2)]) {
      const decoded = (JSON.parse(safeJson(json)) as { s: string }).s;
      if (c === '\n' || c === '\t') expect(decoded).toBe(`a${c}b`);
      else expect(decoded).toMatch(/^a\\(x[0-9a-f]{2}|u[0-9a-f]{4})b$/);
    }
  });

  it('leaves escaped backslashes alone, so "\\b" written by a server stays two characters', () => {
    const text = 'C:\\b\\f\\r\\\\';
    expect((JSON.parse(safeJson(JSON.stringify({ s: text }))) as { s: string }).s).toBe(text);
  });
});
