import { describe, expect, it } from 'vitest';
import { clean, expiryPhrase, hostLabel, oneLineName } from '../../src/report/text.js';

describe('clean', () => {
  it('escapes terminal controls, bidi overrides and line separators from the server', () => {
    expect(clean('mx \u001b[2J ESMTP')).toBe('mx \\x1b[2J ESMTP');
    expect(clean('a\u202eb')).toBe('a\\u202eb');
    expect(clean('a\u2028b\rc')).toBe('a\\u2028b\\x0dc');
    expect(clean('plain text ü')).toBe('plain text ü');
  });
});

describe('hostLabel', () => {
  it.each([
    [{ host: 'mx1.example.com', address: '192.0.2.1', port: 25 }, 'mx1.example.com[192.0.2.1]:25'],
    [{ host: '192.0.2.1', address: '192.0.2.1', port: 25 }, '[192.0.2.1]:25'],
    [{ host: 'mx', address: '2001:db8::1', port: 587 }, 'mx[2001:db8::1]:587'],
    [{ host: 'nx.example.com', address: null, port: 25 }, 'nx.example.com:25'],
    [{ host: '2001:db8::1', address: null, port: 25 }, '[2001:db8::1]:25'],
  ])('%j → %s', (r, label) => {
    expect(hostLabel(r)).toBe(label);
  });
});

describe('phrases', () => {
  it.each([
    [61, 'expires in 61 days'],
    [1, 'expires in 1 day'],
    [0, 'expires today'],
    [-1, 'expired 1 day ago'],
    [-30, 'expired 30 days ago'],
  ])('%i days → %s', (days, phrase) => {
    expect(expiryPhrase(days)).toBe(phrase);
  });

  it('puts a multi-line DN on one line', () => {
    expect(oneLineName('C=US\nO=Example\nCN=mx1')).toBe('C=US, O=Example, CN=mx1');
  });
});
