import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { lintEntry, lintPolicy, lintWithResults } from '../../src/policy/lint.js';
import { parsePolicyTable, readPolicyFile } from '../../src/policy/table.js';
import { SCHEMA_VERSION, type ProbeResult } from '../../src/types.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/tls_policy.example', import.meta.url));
const D = '6A:2C:E5:B1:08:4F:1B:3D:9E:77:0C:44:A1:5F:90:E2:3B:C8:11:7D:56:A4:E9:02:BF:33:68:D0:1C:8E:47:F5';
const E = '9F:01:D2:3A:44:B5:C6:E7:08:19:2A:3B:4C:5D:6E:7F:80:91:A2:B3:C4:D5:E6:F7:08:19:2A:3B:4C:5D:6E:7F';
const lint = (text: string) => lintPolicy(parsePolicyTable(text)).map((f) => `${f.severity}:${f.code}`);

describe('lintPolicy: one line per entry', () => {
  test.each([
    ['x.example encrypt protocols=>=TLSv1.2',                 []],
    ['x.example verify',                                        []],
    ['x.example encrypt protocols=TLSv1',                     ['warning:obsolete-protocols']],
    ['x.example encrypt protocols=SSLv3:TLSv1',               ['warning:obsolete-protocols']],
    ['x.example encrypt protocols=!SSLv2:!SSLv3',             ['warning:obsolete-protocols']],
    ['x.example encrypt protocols=!TLSv1.2',                  ['warning:obsolete-protocols', 'warning:protocol-hole']],
    ['x.example encrypt protocols=SSLv3',                     ['warning:obsolete-protocols', 'critical:no-usable-protocol']],
    ['x.example encrypt ciphers=export',                      ['warning:weak-cipher-grade']],
    ['x.example encrypt ciphers=low',                         ['warning:weak-cipher-grade']],
    ['x.example may ciphers=null',                            ['warning:weak-cipher-grade', 'info:may-with-restrictions']],
    ['x.example encrypt ciphers=null',                        ['warning:weak-cipher-grade', 'critical:no-cipher']],
    ['x.example encrypt ciphers=high exclude=ALL',            ['critical:no-cipher']],
    ['x.example may protocols=>=TLSv1.2',                     ['info:may-with-restrictions']],
    ['x.example fingerprint',                                 ['warning:fingerprint-without-match']],
    [`x.example fingerprint match=${D}`,                      []],
    ['x.example fingerprint match=00112233445566778899AABBCCDDEEFF', ['info:fingerprint-digest']],
    ['x.example fingerprint match=0011223344',                ['warning:fingerprint-length']],
    ['x.example secure match=hostname',                       ['warning:secure-match-hostname']],
    ['x.example verify match=hostname',                       []],
    ['x.example secure match=*.example.com',                  ['warning:match-name-odd']],
    ['x.example secure match=[mx.example.com]',               ['warning:match-name-odd']],
    ['x.example secure match=192.0.2.1',                      ['warning:match-name-odd']],
    ['x.example secure match=nexthopp',                       ['warning:match-name-odd']],
    ['x.example secure match=.example.com:mx.example.com',    []],
    ['x.example verify tafile=ta.pem',                        ['warning:tafile-relative']],
    ['x.example dane enable_rpk=yes',                         ['info:needs-postfix-3.9']],
    ['*.example.com may',                                     ['warning:key-wildcard']],
    ['[x.example]:25 encrypt',                                ['info:key-default-port']],
    ['[x.example]:465 encrypt',                               ['info:key-port-465']],
    ['.x.example may',                                        ['info:pattern-without-parent']],
    ['x.example may\n.x.example may',                         []],
    ['x.example must',                                        ['critical:invalid-level']],
    ['x.example verify mtach=hostname',                       ['critical:invalid-attribute']],
    ['x.example encrypt # no',                                ['critical:malformed-attribute', 'info:trailing-comment']],
    ['x.example encrypt protocols=!SSLv2,!SSLv3',             ['critical:malformed-attribute', 'info:comma-in-attribute']],
    ['x.example may match=hostname',                          ['critical:attribute-invalid-at-level']],
    ['x.example none match=hostname',                         ['warning:attribute-ignored']],
    ['x.example may\nx.example encrypt protocols=TLSv1',      ['warning:duplicate-key']],
  ])('%j', (text, expected) => expect(lint(`${text}\n`)).toEqual(expected));

  test('tafile existence is checked only with fileExists', () => {
    const entry = parsePolicyTable('x verify tafile=/etc/postfix/ta.pem\n').entries[0];
    expect(lintEntry(entry).map((f) => f.code)).toEqual([]);
    expect(lintEntry(entry, { fileExists: () => false }).map((f) => f.code)).toEqual(['tafile-missing']);
  });

  test('the example table: findings in line order, with line numbers', async () => {
    const findings = lintPolicy(await readPolicyFile(FIXTURE), { fileExists: () => true });
    expect(findings.map((f) => `${f.line}:${f.code}`)).toEqual([
      '29:needs-postfix-3.9',
      '34:key-default-port', '34:obsolete-protocols',
      '35:key-port-465', '35:obsolete-protocols',
      '36:obsolete-protocols', '36:weak-cipher-grade',
      '37:obsolete-protocols', '37:weak-cipher-grade', '37:may-with-restrictions',
      '39:duplicate-key',
      '41:invalid-level', '42:invalid-attribute',
      '43:malformed-attribute', '43:comma-in-attribute',
      '44:malformed-attribute', '44:trailing-comment',
      '45:attribute-invalid-at-level',
    ]);
  });
});

function result(over: Partial<ProbeResult> & { leaf?: string; trusted?: boolean; nameOk?: boolean; protocol?: string | null; offered?: boolean }): ProbeResult {
  const { leaf = D, trusted = true, nameOk = true, protocol = 'TLSv1.3', offered = true, ...rest } = over;
  return {
    schemaVersion: SCHEMA_VERSION, destination: 'example.com', nexthop: 'example.com', mx: { host: 'mx.example.com', preference: 10 },
    host: 'mx.example.com', address: '192.0.2.1', port: 25, mode: 'starttls', level: 'verify', status: 'ok', findings: [], error: null,
    smtp: { banner: { code: 220, text: 'mx ESMTP' }, ehlo: [], starttls: { offered, reply: null }, ehloTls: [], replies: [] },
    tls: protocol ? { protocol, cipher: { name: 'x', standardName: 'x', bits: 256 }, keyExchange: null, servername: null, alpn: null, sessionReused: false } : null,
    certificates: protocol ? [{
      subject: 'CN=mx', issuer: 'CN=ca', serial: '01', san: { dns: ['mx.example.com'], ip: [] }, notBefore: '', notAfter: '', daysRemaining: 60,
      key: { type: 'ec', bits: 256, curve: 'prime256v1' }, signatureAlgorithm: null, sha256: leaf, spkiSha256: E.replace('9F', '11'), isCA: false, selfSigned: false,
    }] : [],
    verification: protocol ? { trusted, error: trusted ? null : { reason: 'self-signed', openssl: null }, hostnameMatch: nameOk, matchedName: null, checkedNames: ['mx.example.com'], fingerprintMatch: null } : null,
    postfix: { effectiveLevel: 'verify', deliver: true, plaintext: false, connectionClass: 'Verified', reason: null },
    timingMs: { resolve: 1, connect: 1, banner: 1, ehlo: 1, starttls: 1, handshake: 1, total: 6 },
    ...rest,
  };
}
const entry = (text: string) => parsePolicyTable(`${text}\n`).entries[0];
const codesWith = (text: string, results: ProbeResult[]) => lintWithResults(entry(text), results).map((f) => `${f.severity}:${f.code}`);

describe('lintWithResults: advice the servers give; whether each host passes is the verdict\'s', () => {
  test.each([
    ['x may',                          [result({})],                                    []],
    ['x may',                          [result({ protocol: null, offered: false })],    []],
    ['x encrypt',                      [result({ protocol: null, offered: false })],    []],
    ['x encrypt',                      [result({})],                                    ['info:encrypt-could-verify']],
    ['x encrypt',                      [result({ trusted: false })],                    []],
    ['x encrypt',                      [result({ protocol: 'TLSv1', trusted: false })], ['warning:obsolete-protocol-negotiated']],
    [`x fingerprint match=${D}`,       [result({})],                                    []],
    [`x fingerprint match=${E}`,       [result({})],                                    []],
    [`x fingerprint match=${D}|${E}`,  [result({})],                                    ['info:fingerprint-unused']],
    ['x fingerprint match=00112233445566778899AABBCCDDEEFF', [result({})],             ['info:fingerprint-not-checked']],
    ['x verify',                       [result({ trusted: false })],                    []],
    ['x encrypt',                      [result({}), result({ protocol: null, offered: false })], []],
    ['x must',                         [result({})],                                    []],
  ])('%s', (text, results, expected) => expect(codesWith(text, results)).toEqual(expected));
});
