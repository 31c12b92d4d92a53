// Table tests for the pure DANE / MTA-STS / TLSRPT parsers, one case per line.
import { describe, expect, it } from 'vitest';
import { parseTlsaText, unusableReason } from '../../src/dane/tlsa.js';
import { parseStsRecords } from '../../src/mta-sts/record.js';
import { mxPatternMatches, parseStsPolicy } from '../../src/mta-sts/policy.js';
import { parseTlsrptRecords } from '../../src/tlsrpt/record.js';
import { parseResolvConf, serverFromText } from '../../src/dns/resolv-conf.js';
import { readPemCertificates } from '../../src/pem.js';

const h32 = 'ab'.repeat(32);

describe('TLSA presentation form and usability', () => {
  it.each([
    [`3 1 1 ${h32}`, null],
    [`2 0 1 ${h32}`, null],
    [`3 1 2 ${'cd'.repeat(64)}`, null],
    [`3 0 0 3082`, null],
    [`0 1 1 ${h32}`, /usage 0 \(PKIX-TA\)/],
    [`1 1 1 ${h32}`, /usage 1 \(PKIX-EE\)/],
    [`4 1 1 ${h32}`, /unknown usage 4/],
    [`3 2 1 ${h32}`, /unknown selector 2/],
    [`3 1 3 ${h32}`, /unknown matching type 3/],
    [`3 1 1 abcd`, /2 bytes, matching type 1 needs 32/],
  ])('%s → %s', (text, why) => {
    const r = parseTlsaText(text)!;
    expect(r).not.toBeNull();
    const reason = unusableReason(r);
    if (why === null) expect(reason).toBeNull();
    else expect(reason).toMatch(why);
  });
  it.each(['', '3 1 1', '3 1 1 xyz', '3 1 1 abc', '300 1 1 ab', '3 1'])('malformed %j', (text) => {
    expect(parseTlsaText(text)).toBeNull();
  });
  it('hex split by blanks, as in zone files', () => {
    expect(parseTlsaText('3 1 1 ABCD ef01')?.data.toString('hex')).toBe('abcdef01');
  });
});

describe('_mta-sts TXT (RFC 8461 §3.1)', () => {
  it.each([
    [['v=STSv1; id=20190429T010101;'], { id: '20190429T010101' }],
    [['v=STSv1;id=abc'], { id: 'abc' }],
    [['v=spf1 -all', 'v=STSv1; id=1'], { id: '1' }],
    [[], { error: 'no "v=STSv1" TXT record' }],
    [['v=STSv1; id=1', 'v=STSv1; id=2'], { error: '2 "v=STSv1" TXT records (RFC 8461 §3.1 allows one)' }],
    [['v=STSv1;'], { error: 'no id= field' }],
    [['v=STSv1; id=has-dash'], { error: 'invalid id "has-dash" (1 to 32 letters and digits)' }],
    [[`v=STSv1; id=${'a'.repeat(33)}`], { error: expect.stringMatching(/invalid id/) }],
  ])('%j', (txt, want) => {
    expect(parseStsRecords(txt)).toMatchObject(want);
  });
});

describe('MTA-STS policy file (RFC 8461 §3.2)', () => {
  it.each([
    ['version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n', { mode: 'enforce', mx: ['mail.example.com', '*.example.net'], maxAge: 604800 }],
    ['version: STSv1\nmode: none\nmax_age: 86400\n', { mode: 'none', mx: [] }],
    ['version: STSv1\nmode: testing\nmx: MX.Example.COM.\nmax_age: 0\nextension: ignored\n', { mode: 'testing', mx: ['mx.example.com'], maxAge: 0 }],
    ['mode: enforce\nmx: a\nmax_age: 1\n', { error: 'no "version: STSv1" line' }],
    ['version: STSv2\nmode: enforce\nmx: a\nmax_age: 1\n', { error: 'unknown version "STSv2"' }],
    ['version: STSv1\nmode: strict\nmx: a\nmax_age: 1\n', { error: 'unknown mode "strict"' }],
    ['version: STSv1\nmode: enforce\nmax_age: 1\n', { error: 'mode enforce needs at least one mx line' }],
    ['version: STSv1\nmode: enforce\nmx: a\n', { error: 'no max_age line' }],
    ['version: STSv1\nmode: enforce\nmx: a\nmax_age: 31557601\n', { error: 'max_age 31557601 exceeds 31557600' }],
    ['version: STSv1\nmode: enforce\nmx: a\nmax_age: -1\n', { error: 'invalid max_age "-1"' }],
    ['<html>\n', { error: 'malformed line "<html>"' }],
  ])('%j', (text, want) => {
    expect(parseStsPolicy(text)).toMatchObject(want);
  });
  it.each([
    ['mx.example.com', 'mx.example.com', true],
    ['mx.example.com', 'MX.EXAMPLE.COM.', true],
    ['*.example.com', 'mx.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['mx.example.com', 'mx2.example.com', false],
  ])('pattern %s vs %s → %s', (pattern, host, want) => {
    expect(mxPatternMatches(pattern, host)).toBe(want);
  });
});

describe('_smtp._tls TXT (RFC 8460 §3)', () => {
  it.each([
    [['v=TLSRPTv1; rua=mailto:reports@example.com'], { rua: ['mailto:reports@example.com'] }],
    [['v=TLSRPTv1;rua=mailto:a@example.com,https://r.example.com/v1'], { rua: ['mailto:a@example.com', 'https://r.example.com/v1'] }],
    [['v=TLSRPTv1;'], { error: 'no rua= field' }],
    [['v=TLSRPTv1; rua=http://r.example.com/'], { error: 'rua "http://r.example.com/" is neither mailto: nor https:' }],
    [[], { error: 'no "v=TLSRPTv1" TXT record' }],
    [['v=TLSRPTv1; rua=mailto:a@x.example', 'v=TLSRPTv1; rua=mailto:b@x.example'], { error: expect.stringMatching(/2 "v=TLSRPTv1"/) }],
  ])('%j', (txt, want) => {
    expect(parseTlsrptRecords(txt)).toMatchObject(want);
  });
});

describe('resolv.conf and --resolver', () => {
  it('nameserver lines, comments, scope ids, at most three', () => {
    const text = '# c\nsearch example.com\nnameserver 192.0.2.53 ; x\nnameserver fe80::1%eth0\nnameserver bogus\nnameserver 192.0.2.54\nnameserver 192.0.2.55\n';
    expect(parseResolvConf(text)).toEqual([
      { address: '192.0.2.53', port: 53 }, { address: 'fe80::1', port: 53 }, { address: '192.0.2.54', port: 53 },
    ]);
  });
  it.each([
    ['127.0.0.1', { address: '127.0.0.1', port: 53 }],
    ['127.0.0.1:5353', { address: '127.0.0.1', port: 5353 }],
    ['::1', { address: '::1', port: 53 }],
    ['[::1]:5353', { address: '::1', port: 5353 }],
  ])('%s', (text, want) => {
    expect(serverFromText(text)).toEqual(want);
  });
});

describe('--next-cert PEM', () => {
  it('no certificate is a usage error', () => {
    expect(() => readPemCertificates('-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n', '--next-cert')).toThrow(/no PEM certificate/);
  });
});
