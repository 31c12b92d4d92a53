// The pure parts: the cipher table and grades against this machine's openssl CLI (Postfix's own
// grade lists from src/policy/ciphers.ts), raw hello building/parsing, NCSC tiers.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { POSTFIX_CIPHERLISTS } from '../../src/policy/ciphers.js';
import { CIPHERS, candidatesFor, gradeOf } from '../../src/scan/cipher-info.js';
import { firstRecordLength, parseServerReply, sslv2ClientHello, sslv3ClientHello, tls12ClientHello, tls13GroupHello } from '../../src/scan/raw-hello.js';
import { cannedServerHello } from '../../fixtures/scan/sslv3-server.js';
import { ncscCipherTier } from '../../src/scan/profiles/ncsc.js';
import type { ScanCipher } from '../../src/types.js';

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });
const list = (spec: string) => new Set(openssl('ciphers', `${spec}:@SECLEVEL=0`).trim().split(':'));

describe('cipher table', () => {
  it('is what `openssl ciphers -V` lists here (PSK/SRP aside), with the same ids and protocols', () => {
    const rows = openssl('ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0').trim().split('\n')
      .map((l) => l.trim().split(/\s+/)).filter((f) => !/PSK|SRP/.test(f[4]));
    const ours = new Map(CIPHERS.map((c) => [c.name, c]));
    for (const f of rows) {
      expect(ours.get(f[4]), f[4]).toMatchObject({ id: f[0], standardName: f[2], minProtocol: f[5] });
    }
    expect(CIPHERS.filter((c) => c.minProtocol !== 'TLSv1.3' || ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'].includes(c.name)).length).toBe(rows.length);
  });

  it('grades each cipher as the lowest Postfix grade whose list selects it', () => {
    const sets = Object.fromEntries(Object.entries(POSTFIX_CIPHERLISTS).map(([g, s]) => [g, list(s)]));
    for (const c of CIPHERS.filter((x) => x.minProtocol !== 'TLSv1.3')) {
      const expected = sets.high.has(c.name) ? 'high' : sets.medium.has(c.name) ? 'medium' : sets.low.has(c.name) ? 'low' : sets.export.has(c.name) ? 'export' : 'null';
      expect(c.grade, c.name).toBe(expected);
    }
  });

  it.each([
    ['DES-CBC3-SHA', '3DES(168)', 'medium'], ['RC4-MD5', 'RC4(128)', 'medium'], ['DES-CBC-SHA', 'DES(56)', 'low'],
    ['EXP-RC4-MD5', 'RC4(40)', 'export'], ['NULL-SHA', 'None', 'null'], ['AES128-SHA', 'AES(128)', 'high'],
  ])('legacy %s (%s) → %s', (name, enc, grade) => expect(gradeOf(name, enc)).toBe(grade));

  it('offers per version only what that version can use', () => {
    expect(candidatesFor('TLSv1').some((c) => /GCM|SHA256/.test(c.name))).toBe(false);
    expect(candidatesFor('TLSv1.3').map((c) => c.name)).toHaveLength(5);
    expect(candidatesFor('TLSv1.2').some((c) => c.minProtocol === 'TLSv1.3')).toBe(false);
  });
});

describe('raw hellos', () => {
  it('builds well-formed records', () => {
    for (const hello of [sslv3ClientHello(), tls12ClientHello('mx.test.example'), tls13GroupHello(0x001d, null)]) {
      expect(hello[0]).toBe(0x16);
      expect(firstRecordLength(hello)).toBe(hello.length);
      expect(hello[5]).toBe(0x01);
    }
    expect(sslv3ClientHello().readUInt16BE(9)).toBe(0x0300);
    const v2 = sslv2ClientHello();
    expect(firstRecordLength(v2)).toBe(v2.length);
    expect(v2[2]).toBe(0x01);
  });

  it('parses a ServerHello, an alert, an SSLv2 SERVER-HELLO and a HelloRetryRequest', () => {
    expect(parseServerReply(cannedServerHello(0x000a))).toMatchObject({ kind: 'server-hello', version: 0x0300, cipher: 0x000a, compression: 0, helloRetry: false });
    expect(parseServerReply(Buffer.from([0x15, 3, 1, 0, 2, 2, 70]))).toEqual({ kind: 'alert', level: 2, description: 70 });
    expect(parseServerReply(Buffer.from([0x15, 3, 1, 0, 2]))).toEqual({ kind: 'incomplete' });
    const v2 = Buffer.from([0x80, 0x0e, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x10, 0x07, 0x00, 0xc0]);
    expect(parseServerReply(v2)).toMatchObject({ kind: 'sslv2-server-hello', version: 2, cipherSpecs: [0x0700c0] });
    // HRR: the magic random, supported_versions 0x0304, key_share selecting ffdhe3072.
    const random = Buffer.from('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C', 'hex');
    const exts = Buffer.from([0x00, 0x2b, 0, 2, 0x03, 0x04, 0x00, 0x33, 0, 2, 0x01, 0x01]);
    const body = Buffer.concat([Buffer.from([3, 3]), random, Buffer.from([0, 0x13, 0x01, 0, 0, exts.length]), exts]);
    const hs = Buffer.concat([Buffer.from([2, 0, 0, body.length]), body]);
    const rec = Buffer.concat([Buffer.from([0x16, 3, 3, 0, hs.length]), hs]);
    expect(parseServerReply(rec)).toMatchObject({ kind: 'server-hello', version: 0x0304, helloRetry: true, selectedGroup: 0x0101 });
  });
});

const cipher = (name: string, keyExchange: string, authentication = 'RSA'): ScanCipher =>
  ({ name, standardName: '', id: '', bits: 128, keyExchange, authentication, grade: 'high', anonymous: false, keyExchangeGroup: null });

describe('NCSC tiers', () => {
  it.each([
    ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDH', 'good'], ['ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDH', 'good'],
    ['ECDHE-RSA-AES256-SHA384', 'ECDH', 'sufficient'], ['ECDHE-RSA-AES128-SHA', 'ECDH', 'sufficient'],
    ['DHE-RSA-AES256-GCM-SHA384', 'DH', 'sufficient'], ['AES128-GCM-SHA256', 'RSA', 'phase-out'],
    ['ECDHE-ARIA128-GCM-SHA256', 'ECDH', 'insufficient'], ['CAMELLIA128-SHA', 'RSA', 'insufficient'],
    ['TLS_AES_128_GCM_SHA256', 'any', 'good'], ['TLS_AES_128_CCM_SHA256', 'any', 'sufficient'],
  ])('%s → %s', (name, kx, tier) => expect(ncscCipherTier(cipher(name, kx, kx === 'any' ? 'any' : 'RSA'))).toBe(tier));
});
