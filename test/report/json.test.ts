import { describe, expect, it } from 'vitest';
import { toJson, toNdjsonLine } from '../../src/report/json.js';
import { leafCert, okResult, timeoutResult } from './sample.js';

describe('toJson', () => {
  it('one result → one pretty object; a list → an array', () => {
    const one = toJson(okResult());
    expect(one.startsWith('{\n  "schemaVersion": 1,')).toBe(true);
    expect(one.endsWith('}\n')).toBe(true);
    expect(JSON.parse(one).host).toBe('mx1.example.com');
    const many = JSON.parse(toJson([okResult(), timeoutResult()]));
    expect(Array.isArray(many)).toBe(true);
    expect(many.map((r: { status: string }) => r.status)).toEqual(['ok', 'critical']);
    expect(JSON.parse(toJson([okResult()]))).toHaveLength(1);
  });

  it('leaves out pem and transcript unless present; keeps them when present', () => {
    const plain = JSON.parse(toJson(okResult()));
    expect(plain.certificates[0]).not.toHaveProperty('pem');
    expect(plain.smtp).not.toHaveProperty('transcript');
    const r = okResult({ certificates: [leafCert({ pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' })] });
    r.smtp.transcript = [{ t: 1, dir: '<-', line: '220 hi' }];
    const full = JSON.parse(toJson(r));
    expect(full.certificates[0].pem).toContain('BEGIN CERTIFICATE');
    expect(full.smtp.transcript).toEqual([{ t: 1, dir: '<-', line: '220 hi' }]);
  });

  it('turns BigInt into a decimal string instead of throwing', () => {
    const r = okResult() as unknown as Record<string, unknown>;
    r.extra = { publicExponent: 65537n };
    expect(JSON.parse(toJson(r as never)).extra.publicExponent).toBe('65537');
  });
});

describe('toNdjsonLine', () => {
  it('is one line, newline-terminated, parses back to the result', () => {
    const r = okResult();
    r.smtp.banner = { code: 220, text: 'line one\nline two\u2028\u2029' };
    const line = toNdjsonLine(r);
    expect(line.endsWith('\n')).toBe(true);
    const body = line.slice(0, -1);
    expect(body).not.toMatch(/[\n\r\u2028\u2029]/);
    // Line and paragraph separators come back as visible escapes, like every invisible character.
    expect(JSON.parse(body)).toEqual({ ...r, smtp: { ...r.smtp, banner: { code: 220, text: 'line one\nline two\\u2028\\u2029' } } });
  });

  it('every control class comes out terminal-safe: jq -r would print no raw control byte', () => {
    const r = okResult();
    const hostile = 'a\x1b[2Jb\x07c\x7fd\x9be\u202ef\u200bg\x1b]52;c;cGF5bG9hZA==\x07h\ri\\x1bj';
    r.smtp.banner = { code: 220, text: hostile };
    for (const text of [toNdjsonLine(r), toJson(r)]) {
      const decoded = JSON.parse(text).smtp.banner.text as string;
      // eslint-disable-next-line no-control-regex
      expect(decoded).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e]/);
      expect(decoded).toBe('a\\x1b[2Jb\\x07c\\x7fd\\x9be\\u202ef\\u200bg\\x1b]52;c;cGF5bG9hZA==\\x07h\\x0di\\x1bj');
    }
  });
});
