import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { classifyMatchName, normalizeDigest, parseLevel, parseMatch } from '../../src/policy/match.js';
import { lookupLevel, mustMatch, mustPkix, tlsRequired } from '../../src/levels.js';

const D = '6A:2C:E5:B1:08:4F:1B:3D:9E:77:0C:44:A1:5F:90:E2:3B:C8:11:7D:56:A4:E9:02:BF:33:68:D0:1C:8E:47:F5';
const d = D.toLowerCase().replace(/:/g, '');
const E = '9F:01:D2:3A:44:B5:C6:E7:08:19:2A:3B:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08:19:2A:3B:4C:5D:6E:7F';

describe('parseLevel / lookupLevel (tls_level_table)', () => {
  test.each([
    ['none', 'none'], ['may', 'may'], ['encrypt', 'encrypt'], ['fingerprint', 'fingerprint'],
    ['verify', 'verify'], ['secure', 'secure'], ['dane', 'dane'], ['dane-only', 'dane-only'],
    ['VERIFY', 'verify'], [' Secure ', 'secure'],
  ] as const)('%j → %s', (s, level) => expect(parseLevel(s)).toBe(level));

  test.each([
    ['must', /smtp_tls_per_site value; use "verify"/],
    ['MUST_NOPEERMATCH', /smtp_tls_per_site value; use "encrypt"/],
    ['halfdane', /invalid security level "halfdane"/],
    ['strict', /invalid security level "strict" \(valid: none, may/],
    ['', /invalid security level ""/],
  ])('%j → UsageError %s', (s, msg) => {
    expect(() => parseLevel(s)).toThrow(UsageError);
    expect(() => parseLevel(s)).toThrow(msg);
  });

  test.each([['must', null], ['halfdane', null], ['Dane-Only', 'dane-only']])('lookupLevel(%j) → %s', (s, l) => {
    expect(lookupLevel(s)).toBe(l);
  });

  test.each([
    // level         required  match  pkix
    ['none',         false,    false, false],
    ['may',          false,    false, false],
    ['encrypt',      true,     false, false],
    ['fingerprint',  true,     true,  false],
    ['dane',         true,     true,  false],
    ['dane-only',    true,     true,  false],
    ['verify',       true,     true,  true],
    ['secure',       true,     true,  true],
  ] as const)('%s: tlsRequired=%s mustMatch=%s mustPkix=%s (tls.h macros)', (l, req, match, pkix) => {
    expect([tlsRequired(l), mustMatch(l), mustPkix(l)]).toEqual([req, match, pkix]);
  });
});

describe('normalizeDigest (hex_decode_opt with colons)', () => {
  test.each([
    [D, D],
    [d, D],
    [D.toLowerCase(), D],
    ['ab:cd', 'AB:CD'],
    ['abcd', 'AB:CD'],
    ['ab:cdef', 'AB:CD:EF'],       // colons optional between any pairs
    [':ab:cd', null],              // no leading colon
    ['ab:cd:', null],              // no trailing colon
    ['ab::cd', null],
    ['abc', null],                 // odd length
    ['zz', null],
    ['', null],
    ['ab'.repeat(97), null],       // > 3 * EVP_MAX_MD_SIZE characters (Postfix's input limit)
  ])('%j → %s', (s, out) => expect(normalizeDigest(s)).toBe(out));
});

describe('parseMatch', () => {
  test.each([
    // level          value(s)                                  syntax   expected
    ['fingerprint',   `${D}|${E}`,                              'table', [D, E]],
    ['fingerprint',   `${d}`,                                   'table', [D]],
    ['fingerprint',   [D, E],                                   'cli',   [D, E]],
    ['fingerprint',   `${D}|${E}`,                              'cli',   [D, E]],
    ['fingerprint',   `${D}, ${E}`,                             'cli',   [D, E]],
    ['fingerprint',   `|${D}||`,                                'table', [D]],
    ['secure',        'nexthop:dot-nexthop',                    'table', ['nexthop', 'dot-nexthop']],
    ['secure',        '.example.net:example.net',               'table', ['.example.net', 'example.net']],
    ['secure',        ['nexthop', 'Mail.Example.ORG'],          'cli',   ['nexthop', 'mail.example.org']],
    ['secure',        'nexthop, dot-nexthop',                   'cli',   ['nexthop', 'dot-nexthop']],
    ['verify',        'hostname',                               'table', ['hostname']],
    ['verify',        'HOSTNAME:nexthop',                       'table', ['hostname', 'nexthop']],
  ] as const)('%s %j (%s)', (level, value, syntax, expected) => {
    expect(parseMatch(level, value, syntax)).toEqual(expected);
  });

  test.each([
    ['may',          'hostname', /not used at security level "may"/],
    ['encrypt',      D,          /not used at security level "encrypt"/],
    ['dane',         D,          /not used at security level "dane"/],
    ['fingerprint',  'not-hex',  /malformed fingerprint value: not-hex/],
    ['fingerprint',  `${D}:`,    /malformed fingerprint value/],
    ['fingerprint',  '|',        /empty match list/],
    ['secure',       '.',        /invalid match name: "."/],
    ['secure',       '',         /empty match list/],
  ] as const)('%s %j → UsageError %s', (level, value, msg) => {
    expect(() => parseMatch(level, value)).toThrow(UsageError);
    expect(() => parseMatch(level, value)).toThrow(msg);
  });

  test.each([
    ['hostname', 'hostname'], ['NEXTHOP', 'nexthop'], ['dot-nexthop', 'dot-nexthop'],
    ['.example.com', 'suffix'], ['mx.example.com', 'exact'],
  ])('classifyMatchName(%j) → %s', (n, k) => expect(classifyMatchName(n)).toBe(k));
});
