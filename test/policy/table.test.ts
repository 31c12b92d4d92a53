import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tempDir } from '../../fixtures/temp.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  MAX_FILE_BYTES, MAX_LINE_BYTES, parsePolicyKey, parsePolicyTable, readPolicyFile, type PolicyTable,
} from '../../src/policy/table.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/tls_policy.example', import.meta.url));
const D = '6A:2C:E5:B1:08:4F:1B:3D:9E:77:0C:44:A1:5F:90:E2:3B:C8:11:7D:56:A4:E9:02:BF:33:68:D0:1C:8E:47:F5';
const codes = (t: PolicyTable) => t.problems.map((p) => `${p.line}:${p.code}`);
const one = (text: string) => parsePolicyTable(text).entries[0];

describe('readllines: logical lines, comments, continuation (readlline.c test cases)', () => {
  test.each([
    // input                                      keys and lines                    problems
    ['a.example may\n',                           ['a.example@1-1'],                []],
    ['a.example may',                             ['a.example@1-1'],                []],
    ['#c\na.example may\n',                       ['a.example@2-2'],                []],
    ['\n \na.example may\n',                      ['a.example@3-3'],                []],
    ['a.example\n may\n',                         ['a.example@1-2'],                []],
    ['a.example\n #c\n may\n',                    ['a.example@1-3'],                []],
    ['a.example\n#c\n may\n',                     ['a.example@1-3'],                []],
    ['a.example\n\n may\n',                       ['a.example@1-3'],                []],
    ['a.example may\nb.example may\n',            ['a.example@1-1', 'b.example@2-2'], []],
    ['a.example may\n\nb.example may\n',          ['a.example@1-2', 'b.example@3-3'], []],
    ['a.example may\r\nb.example encrypt\r\n',    ['a.example@1-1', 'b.example@2-2'], []],
    ['a.example verify\r\n  match=hostname\r\n',  ['a.example@1-2'],                []],
    [' a.example may\nb.example may\n',           ['b.example@2-2'],                ['1:leading-whitespace']],
    ['',                                          [],                               []],
    ['\n\n# only comments\n   \n',                [],                               []],
    ['a.example\n',                               [],                               ['1:missing-value']],
    ['"a b.example may\n',                        [],                               ['1:unbalanced-quote']],
    ['a.example: may\n',                          ['a.example:@1-1'],               ['1:key-colon-format', '1:invalid-key']],
  ])('%j', (text, keys, problems) => {
    const t = parsePolicyTable(text);
    expect(t.entries.map((e) => `${e.key}@${e.line}-${e.endLine}`)).toEqual(keys);
    expect(codes(t)).toEqual(problems);
  });

  test('CRLF: values do not keep the CR', () => {
    const e = one('a.example secure match=nexthop:dot-nexthop\r\n');
    expect(e.attrs.match).toEqual(['nexthop', 'dot-nexthop']);
    expect(e.valid).toBe(true);
  });

  test('keys are folded to lowercase, like postmap', () => {
    expect(one('Example.COM may').key).toBe('example.com');
  });
});

describe('keys', () => {
  test.each([
    ['example.com',              { keyKind: 'domain', host: 'example.com' }],
    ['.example.com',             { keyKind: 'pattern', host: 'example.com' }],
    ['[mail.example.com]',       { keyKind: 'host', host: 'mail.example.com' }],
    ['[mail.example.com]:587',   { keyKind: 'host', host: 'mail.example.com', port: 587 }],
    ['[192.0.2.1]:25',           { keyKind: 'host', host: '192.0.2.1', port: 25 }],
    ['[2001:db8::1]:25',         { keyKind: 'host', host: '2001:db8::1', port: 25 }],
    ['[ipv6:2001:db8::1]',       { keyKind: 'host', host: '2001:db8::1' }],
    ['example.com:2525',         { keyKind: 'domain', host: 'example.com', port: 2525 }],
    ['[relay.example]:submission', { keyKind: 'host', host: 'relay.example', port: 587, service: 'submission' }],
    ['[relay.example]:foo',      { keyKind: 'host', host: 'relay.example', service: 'foo' }],
  ])('%s', (key, expected) => expect(parsePolicyKey(key)).toEqual(expected));

  test.each(['[mail.example.com', '[a]x', '[a]:', '.example.com:25', 'a:b:c', '[]', 'example.com:0', 'example.com:70000'])('%s never matches a next-hop', (key) => {
    expect(parsePolicyKey(key)).toHaveProperty('error');
    const t = parsePolicyTable(`${key} may\n`);
    expect(codes(t)).toContain('1:invalid-key');
  });
});

describe('policy values (smtp_tls_policy.c): valid entries', () => {
  test.each([
    ['x none',                                              'none',        {}],
    ['x may',                                               'may',         {}],
    ['x MAY',                                               'may',         {}],
    ['x encrypt protocols=>=TLSv1.2 ciphers=high exclude=3DES:RC4', 'encrypt', { protocols: '>=TLSv1.2', ciphers: 'high', exclude: '3DES:RC4' }],
    ['x encrypt,protocols=TLSv1.2:TLSv1.3',                 'encrypt',     { protocols: 'TLSv1.2:TLSv1.3' }],
    [`x fingerprint match=${D}`,                            'fingerprint', { match: [D] }],
    [`x fingerprint match=${D.toLowerCase()}|${D.replace(/:/g, '')} match=${D}`, 'fingerprint', { match: [D, D, D] }],
    ['x verify match=hostname:nexthop',                     'verify',      { match: ['hostname', 'nexthop'] }],
    ['x secure match=.Example.NET:example.net',             'secure',      { match: ['.example.net', 'example.net'] }],
    ['x secure { match = nexthop:dot-nexthop }',            'secure',      { match: ['nexthop', 'dot-nexthop'] }],
    ['x secure servername=mail.example.com',                'secure',      { servername: 'mail.example.com' }],
    ['x secure servername=hostname',                        'secure',      { servername: 'hostname' }],
    ['x verify tafile=/etc/ta.pem tafile=/etc/ta2.pem',     'verify',      { tafile: ['/etc/ta.pem', '/etc/ta2.pem'] }],
    ['x dane connection_reuse=yes',                         'dane',        { connectionReuse: true }],
    ['x dane-only connection_reuse=NO enable_rpk=yes',      'dane-only',   { connectionReuse: false, enableRpk: true }],
    ['x may protocols=',                                    'may',         { protocols: '' }],
    ['x verify policy_type=sts policy_domain=example.com policy_ttl=86400 mx_host_pattern=*.example.com policy_string=version:STSv1',
      'verify', { policyType: 'sts', policyDomain: 'example.com', policyTtl: 86400, mxHostPattern: ['*.example.com'], policyString: ['version:STSv1'] }],
  ] as const)('%s', (text, level, attrs) => {
    const t = parsePolicyTable(text);
    expect(t.problems).toEqual([]);
    expect(t.entries[0]).toMatchObject({ level, attrs, valid: true });
  });

  test('none ignores every attribute, with a warning each (entry still valid)', () => {
    const t = parsePolicyTable('x none match=foo bogus=1\n');
    expect(t.entries[0].valid).toBe(true);
    expect(t.problems.map((p) => [p.severity, p.message])).toEqual([
      ['warning', 'smtp_tls_policy_maps, next-hop destination "x": ignoring attribute "match=foo" with TLS disabled'],
      ['warning', 'smtp_tls_policy_maps, next-hop destination "x": ignoring attribute "bogus=1" with TLS disabled'],
    ]);
  });

  test('a malformed digest is skipped with a warning when another one is good', () => {
    const t = parsePolicyTable(`x fingerprint match=zz|${D}\n`);
    expect(t.entries[0]).toMatchObject({ valid: true, attrs: { match: [D] } });
    expect(t.problems.map((p) => p.message)).toEqual(['malformed fingerprint value: zz']);
  });
});

describe('policy values: invalid entries, with Postfix wording', () => {
  const W = 'smtp_tls_policy_maps, next-hop destination "x": ';
  test.each([
    ['x must',                               'invalid-level',              'invalid security level "must"'],
    ['x MUST_NOPEERMATCH',                   'invalid-level',              'invalid security level "MUST_NOPEERMATCH"'],
    ['x halfdane',                           'invalid-level',              'invalid security level "halfdane"'],
    ['x verify mtach=hostname',              'invalid-attribute',          'invalid attribute name: "mtach"'],
    ['x encrypt # comment',                  'malformed-attribute',        `malformed attribute/value pair "#": missing '=' after attribute name`],
    ['x encrypt =v',                         'malformed-attribute',        'malformed attribute/value pair "=v": missing attribute name'],
    ['x encrypt protocols=!SSLv2,!SSLv3',    'malformed-attribute',        `malformed attribute/value pair "!SSLv3": missing '=' after attribute name`],
    ['x secure {match=a',                    'malformed-attribute',        `malformed attribute/value pair "{match=a": missing '}' in "{match=a"`],
    ['x secure {match=a}b',                  'malformed-attribute',        `malformed attribute/value pair "{match=a}b": syntax error after '}' in "{match=a}b"`],
    ['x encrypt ciphers=',                   'empty-attribute',            'attribute "ciphers" has empty value'],
    ['x encrypt ciphers=high ciphers=high',  'repeated-attribute',         'attribute "ciphers" is specified multiple times'],
    ['x encrypt protocols=TLSv1 protocols=TLSv1.2', 'repeated-attribute',  'attribute "protocols" is specified multiple times'],
    ['x encrypt exclude=a exclude=b',        'repeated-attribute',         'attribute "exclude" is specified multiple times'],
    ['x encrypt ciphers=strong',             'invalid-cipher-grade',       'invalid cipher grade: "strong"'],
    ['x encrypt protocols=TLSv1.4',          'invalid-protocols',          'Invalid TLS protocol list "TLSv1.4": aborting TLS session'],
    ['x encrypt exclude=!RC4',               'invalid-cipher-exclusion',   `invalid unary '!+-@' in cipher exclusion: !RC4`],
    ['x secure servername=-bad-',            'invalid-servername',         '"servername=-bad-" specifies an invalid hostname'],
    ['x may match=hostname',                 'attribute-invalid-at-level', 'attribute "match" invalid at security level "may"'],
    ['x encrypt match=hostname',             'attribute-invalid-at-level', 'attribute "match" invalid at security level "encrypt"'],
    ['x dane match=hostname',                'attribute-invalid-at-level', 'attribute "match" invalid at security level "dane"'],
    ['x encrypt tafile=/etc/ta.pem',         'attribute-invalid-at-level', 'attribute "tafile" invalid at security level "encrypt"'],
    ['x verify match=',                      'empty-attribute',            'attribute "match" has empty value'],
    ['x fingerprint match=zz',               'no-fingerprints',            'configured at fingerprint security level, but with no fingerprints to match.'],
    ['x dane connection_reuse=maybe',        'bad-attribute-value',        'attribute "connection_reuse" has bad value: "maybe"'],
    ['x verify policy_ttl=1h policy_type=sts', 'bad-attribute-value',      'attribute "policy_ttl" has a malformed value: "1h"'],
    ['x verify policy_type=dane',            'bad-attribute-value',        'attribute "policy_type" has an unexpected value: "dane"'],
    ['x verify policy_domain=example.com',   'unexpected-policy-attribute', 'built-in policy has unexpected attribute policy_ttl, policy_domain, policy_string, mx_host_pattern or policy_failure'],
  ])('%s → %s', (text, code, msg) => {
    const t = parsePolicyTable(`${text}\n`);
    const e = t.entries[0];
    expect(e.valid).toBe(false);
    expect(e.invalidReason).toBe(W + msg);
    expect(t.problems.filter((p) => p.severity === 'error').map((p) => [p.line, p.code])).toEqual([[1, code]]);
  });

  test('tafile= is checked when the caller can look at files', () => {
    const t = parsePolicyTable('x verify tafile=/nonexistent/ta.pem\n', { fileExists: () => false });
    expect(t.entries[0]).toMatchObject({ valid: false });
    expect(codes(t)).toEqual(['1:tafile-missing']);
  });
});

describe('duplicates: postmap warns and keeps the first', () => {
  test('second entry points at the first', () => {
    const t = parsePolicyTable('example.com may\nEXAMPLE.com encrypt\n[example.com] verify\n');
    expect(t.entries.map((e) => e.duplicateOf)).toEqual([undefined, 1, undefined]);
    expect(t.problems).toEqual([{ line: 2, severity: 'warning', code: 'duplicate-key', message: 'tls_policy, line 2: duplicate entry: "example.com" (postmap keeps the entry at line 1; this one is never used)' }]);
  });
});

describe('malformed input never throws', () => {
  test('binary garbage: line-numbered, says it is not the text source', () => {
    const bytes = new Uint8Array([0x00, 0x06, 0x15, 0x61, 0x0a, 0x62, 0x20, 0x00, 0xff, 0x0a, 0x63, 0x20, 0xff, 0xfe, 0x0a]);
    const t = parsePolicyTable(bytes, { source: 'tls_policy.db' });
    expect(t.entries).toEqual([]);
    expect(codes(t)).toEqual(['1:binary-data', '1:nul-byte', '2:nul-byte', '3:non-utf8']);
    expect(t.problems[0].message).toMatch(/^tls_policy.db, line 1: binary data \(NUL byte\); mxprobe reads the text source/);
  });

  test('lots of garbage: problems are capped', () => {
    const bytes = new Uint8Array(100_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 7 === 0 ? 0x0a : i % 3 === 0 ? 0 : 0x41;
    const t = parsePolicyTable(bytes);
    expect(t.problems.length).toBe(201);
    expect(t.problems.at(-1)?.code).toBe('too-many-problems');
  });

  test('a 10 MB line is an error for that line only', () => {
    const big = 'x'.repeat(MAX_FILE_BYTES - 100);
    const t = parsePolicyTable(`a.example may\nhuge.example may ${big}\nb.example encrypt\n`);
    expect(t.entries.map((e) => e.key)).toEqual(['a.example', 'b.example']);
    expect(codes(t)).toEqual(['2:line-too-long']);
    expect(t.problems[0].message).toMatch(/line 2: line is longer than 65536 bytes/);
  });

  test('a long continuation line drops its whole logical line', () => {
    const t = parsePolicyTable(`a.example verify\n match=${'a'.repeat(MAX_LINE_BYTES)}\nb.example may\n`);
    expect(t.entries.map((e) => e.key)).toEqual(['b.example']);
    expect(codes(t)).toEqual(['2:line-too-long']);
  });

  test('ten million empty lines', () => {
    const t = parsePolicyTable(new Uint8Array(MAX_FILE_BYTES).fill(0x0a));
    expect(t).toEqual({ source: 'tls_policy', entries: [], problems: [] });
  });
});

describe('readPolicyFile', () => {
  const dir = tempDir('mxprobe-policy-');
  test('missing file → UsageError with the path', async () => {
    const p = join(dir, 'nope');
    await expect(readPolicyFile(p)).rejects.toThrow(UsageError);
    await expect(readPolicyFile(p)).rejects.toThrow(`policy file ${p}: no such file`);
  });
  test('directory → UsageError', async () => {
    mkdirSync(join(dir, 'd'));
    await expect(readPolicyFile(join(dir, 'd'))).rejects.toThrow(/is a directory/);
  });
  test('over 10 MB → UsageError', async () => {
    const p = join(dir, 'big');
    writeFileSync(p, Buffer.alloc(MAX_FILE_BYTES + 1, 0x0a));
    await expect(readPolicyFile(p)).rejects.toThrow(/too large \(10485761 bytes, limit 10485760\)/);
  });
  test('empty file → no entries, no problems', async () => {
    const p = join(dir, 'empty');
    writeFileSync(p, '');
    expect(await readPolicyFile(p)).toEqual({ source: p, entries: [], problems: [] });
  });
  test('CRLF file', async () => {
    const p = join(dir, 'crlf');
    writeFileSync(p, '# c\r\nexample.com verify\r\n  ciphers=high\r\n\r\n.example.com may\r\n');
    const t = await readPolicyFile(p);
    expect(t.problems).toEqual([]);
    expect(t.entries.map((e) => [e.key, e.level, e.line, e.endLine, e.attrs])).toEqual([
      ['example.com', 'verify', 2, 4, { ciphers: 'high' }], ['.example.com', 'may', 5, 5, {}],
    ]);
  });
});

describe('the example table', () => {
  test('every level and attribute, and what Postfix refuses', async () => {
    const t = await readPolicyFile(FIXTURE, { fileExists: (p) => p === '/etc/postfix/tls/relay-ca.pem' });
    const levels = new Set(t.entries.map((e) => e.level));
    for (const l of ['none', 'may', 'encrypt', 'fingerprint', 'verify', 'secure', 'dane', 'dane-only']) expect(levels).toContain(l);
    const attrs = new Set(t.entries.flatMap((e) => e.rawAttrs.map((a) => a.name)));
    for (const a of ['match', 'protocols', 'ciphers', 'exclude', 'servername', 'tafile', 'connection_reuse', 'enable_rpk']) expect(attrs).toContain(a);
    expect(new Set(t.entries.map((e) => e.keyKind))).toEqual(new Set(['domain', 'pattern', 'host']));
    expect(t.entries.filter((e) => !e.valid).map((e) => e.key)).toEqual([
      'typo.example.com', 'badattr.example.com', 'comma.example.com', 'comment.example.com', 'may.example.com',
    ]);
    expect(t.problems.filter((p) => p.severity !== 'error').map((p) => `${p.line}:${p.code}`)).toEqual(['39:duplicate-key']);
    const thumb = t.entries.find((e) => e.key === '[thumb.example.org]')!;
    expect(thumb.attrs.match).toHaveLength(3);
    expect([thumb.line, thumb.endLine]).toEqual([14, 17]);
  });
});
