// The one grammar for strings that go on the wire (src/grammar.ts), one case per line.
import { describe, expect, it } from 'vitest';
import { checkEhloName, checkMailbox, isEhloName } from '../src/grammar.js';
import { UsageError } from '../src/errors.js';

describe('EHLO name (RFC 5321 §4.1.1.1)', () => {
  it.each(['mx.example.com', 'localhost', 'a-b.c1.example', '[192.0.2.1]', '[IPv6:2001:db8::1]', 'xn--mnchen-3ya.example'])('%s is accepted', (name) => {
    expect(checkEhloName(name)).toBe(name);
  });
  it.each([
    ['x\r\nQUIT', /line break/], ['x\nRSET', /line break/], ['x\u0000y', /NUL/], ['a b', /space/], ['x\u001b[2J', /control/],
    ['münchen.example', /non-ASCII/], ['-x.example', /invalid label/], ['x..example', /empty label/], ['[300.1.1.1]', /address literal/],
    ['[IPv6:zz]', /address literal/], ['', /empty/], [`${'a'.repeat(64)}.example`, /invalid label/],
  ])('%j is refused (%s)', (name, why) => {
    expect(() => checkEhloName(name)).toThrow(UsageError);
    expect(() => checkEhloName(name)).toThrow(why);
    expect(isEhloName(name)).toBe(false);
  });
  it('a long hostile value is echoed escaped and bounded', () => {
    expect(() => checkEhloName(`x\u001b${'a'.repeat(1000)}`)).toThrow(/^--ehlo: the EHLO name "x\\x1ba{78}… \(1002 characters\)"/);
  });
});

describe('mailbox (RFC 5321 §4.1.2)', () => {
  it.each(['a@example.com', 'first.last+tag@example.com', '"a b"@example.com', 'a@[192.0.2.1]', "o'brien@example.ie"])('%s is accepted', (addr) => {
    expect(checkMailbox(addr, '--to')).toBe(addr);
  });
  it('the null sender and postmaster where they are allowed', () => {
    expect(checkMailbox('', '--from', { nullAllowed: true })).toBe('');
    expect(checkMailbox('Postmaster', '--to', { postmaster: true })).toBe('Postmaster');
    expect(() => checkMailbox('', '--to')).toThrow(UsageError);
    expect(() => checkMailbox('postmaster', '--from')).toThrow(UsageError);
  });
  it.each([
    'a b@example.com', 'a@example.com\r\nRSET', 'a@exa mple.com', '<a@example.com>', 'a.@example.com', '.a@example.com', 'a@', '@example.com',
    'a@-x.example', `${'a'.repeat(65)}@example.com`, '"a\r\nb"@example.com', 'a@[300.0.0.1]',
  ])('%j is refused', (addr) => {
    expect(() => checkMailbox(addr, '--to')).toThrow(/^--to: invalid mail address/);
  });
});
