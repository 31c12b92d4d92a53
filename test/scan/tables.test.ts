// The pure parts: the cipher table and grades against this machine's openssl CLI (Postfix's own
// grade lists from src/policy/ciphers.ts), raw hello building/parsing, NCSC tiers.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { POSTFIX_CIPHERLISTS } from '../../src/policy/ciphers.js';
import { CIPHERS, candidatesFor, gradeOf } from '../../src/scan/cipher-info.js';
import { clientHello, heartbleedRecords, parseSslv2ServerHello, sslv2Length, sslv2ClientHello, sslv3ClientHello, VERSION } from '../../src/scan/raw-hello.js';
import { HandshakeReassembler, parseServerHello, parseServerKeyExchange, splitRecords } from '../../src/tls/records.js';
import { cannedServerHello } from '../../fixtures/scan/sslv3-server.js';
import { ncscCipherTier } from '../../src/scan/profiles/ncsc.js';
import { implicitRefusal } from '../../src/scan/implicit-refusal.js';
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

/** The extensions of a ClientHello record, by type. */
function helloExtensions(rec: Buffer): { version: number; suites: number; extensions: Map<number, Buffer> } {
  const [m] = new HandshakeReassembler().push(splitRecords(rec).records[0].body);
  const b = m.body;
  let i = 34;
  i += 1 + b[i];
  const suites = b.readUInt16BE(i) / 2;
  i += 2 + b.readUInt16BE(i);
  i += 1 + b[i];
  const extensions = new Map<number, Buffer>();
  const end = i + 2 + b.readUInt16BE(i);
  for (i += 2; i < end; i += 4 + b.readUInt16BE(i + 2)) extensions.set(b.readUInt16BE(i), b.subarray(i + 4, i + 4 + b.readUInt16BE(i + 2)));
  return { version: b.readUInt16BE(0), suites, extensions };
}

describe('raw hellos', () => {
  it('builds one well-formed record per hello', () => {
    for (const hello of [sslv3ClientHello(), clientHello({ version: VERSION['TLSv1.2'], suites: [0xc02f], servername: 'mx.test.example' }), clientHello({ version: VERSION['TLSv1.3'], suites: [0x1301], servername: null })]) {
      const { records, rest } = splitRecords(hello);
      expect(records).toHaveLength(1);
      expect(rest.length).toBe(0);
      expect(records[0].type).toBe(0x16);
      expect(records[0].body[0]).toBe(0x01);
    }
    expect(sslv3ClientHello().readUInt16BE(9)).toBe(0x0300);
    const v2 = sslv2ClientHello();
    expect(sslv2Length(v2)).toBe(v2.length);
    expect(v2[2]).toBe(0x01);
  });

  it('TLS 1.3 the RFC 8446 way: legacy 1.2, supported_versions, an empty key_share; no renegotiation_info', () => {
    const h = helloExtensions(clientHello({ version: VERSION['TLSv1.3'], suites: [0x1301, 0x1302], servername: 'mx.test.example', groups: [0x11ec] }));
    expect(h.version).toBe(0x0303);
    expect(h.suites).toBe(2);
    expect(h.extensions.get(0x002b)).toEqual(Buffer.from([2, 3, 4]));
    expect(h.extensions.get(0x0033)).toEqual(Buffer.from([0, 0]));
    expect(h.extensions.get(0x000a)).toEqual(Buffer.from([0, 2, 0x11, 0xec]));
    expect(h.extensions.has(0xff01)).toBe(false);
    expect(h.extensions.get(0x0000)?.subarray(5).toString()).toBe('mx.test.example');
  });

  it('TLS 1.0 has no signature_algorithms; the heartbeat extension only when asked', () => {
    const h = helloExtensions(clientHello({ version: VERSION.TLSv1, suites: [0x002f], servername: null, heartbeat: true }));
    expect(h.version).toBe(0x0301);
    expect(h.extensions.has(0x000d)).toBe(false);
    expect(h.extensions.get(0x000f)).toEqual(Buffer.from([1]));
    expect(helloExtensions(clientHello({ version: VERSION['TLSv1.2'], suites: [0x002f], servername: null })).extensions.has(0x000f)).toBe(false);
  });

  it('heartbleed records: a request claiming 16384 bytes with none, then an honest one', () => {
    const { records } = splitRecords(heartbleedRecords(0x0302));
    expect(records.map((r) => [r.type, r.version, r.body.length])).toEqual([[0x18, 0x0302, 3], [0x18, 0x0302, 35]]);
    expect(records[0].body).toEqual(Buffer.from([1, 0x40, 0]));
    expect(records[1].body.readUInt16BE(1)).toBe(16);
  });

  it('parses a ServerHello, an SSLv2 SERVER-HELLO and a HelloRetryRequest', () => {
    const sh = new HandshakeReassembler().push(splitRecords(cannedServerHello(0x000a)).records[0].body)[0];
    expect(parseServerHello(sh.body)).toMatchObject({ version: 0x0300, cipher: 0x000a, compression: 0, helloRetry: false });
    const v2 = Buffer.from([0x80, 0x0e, 0x04, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x10, 0x07, 0x00, 0xc0]);
    expect(parseSslv2ServerHello(v2)).toEqual({ version: 2, cipherSpecs: [0x0700c0] });
    // HRR: the magic random, supported_versions 0x0304, key_share selecting ffdhe3072.
    const random = Buffer.from('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C', 'hex');
    const exts = Buffer.from([0x00, 0x2b, 0, 2, 0x03, 0x04, 0x00, 0x33, 0, 2, 0x01, 0x01]);
    const body = Buffer.concat([Buffer.from([3, 3]), random, Buffer.from([0, 0x13, 0x01, 0, 0, exts.length]), exts]);
    expect(parseServerHello(body)).toMatchObject({ version: 0x0304, helloRetry: true, selectedGroup: 0x0101, cipher: 0x1301 });
    expect(parseServerHello(body.subarray(0, 20))).toBeNull();
  });

  it('reassembles handshake messages split across records, several per record', () => {
    const a = Buffer.from([2, 0, 0, 3, 9, 9, 9, 14, 0, 0, 0, 11, 0]);
    const r = new HandshakeReassembler();
    expect(r.push(a.subarray(0, 2))).toEqual([]);
    expect(r.push(a.subarray(2, 13)).map((m) => m.type)).toEqual([2, 14]);
    expect(r.push(Buffer.from([0, 1, 7])).map((m) => [m.type, m.body.length])).toEqual([[11, 1]]);
    expect(() => new HandshakeReassembler(100).push(Buffer.from([11, 0, 1, 0]))).toThrow(RangeError);
  });

  it('reads ServerKeyExchange: the ECDHE curve, the DHE prime size, the TLS 1.2 signature scheme', () => {
    const ecdhe = Buffer.from([3, 0x00, 0x1d, 2, 0xaa, 0xbb, 0x08, 0x04, 0, 1, 0xff]);
    expect(parseServerKeyExchange(ecdhe, 'ECDH', { signed: true, tls12: true })).toEqual({ curve: 0x1d, dhBits: null, signatureScheme: 0x0804 });
    expect(parseServerKeyExchange(ecdhe, 'ECDH', { signed: true, tls12: false })?.signatureScheme).toBeNull();
    // p of 2 bytes with a leading zero byte and 0x01 after it: 1 bit... a 9-bit prime 0x01ff.
    const dhe = Buffer.from([0, 3, 0x00, 0x01, 0xff, 0, 1, 2, 0, 1, 5]);
    expect(parseServerKeyExchange(dhe, 'DH', { signed: false, tls12: true })).toEqual({ curve: null, dhBits: 9, signatureScheme: null });
  });
});

describe('a plaintext refusal on an implicit-TLS port', () => {
  it.each<[string, string, number | null]>([
    ['Exim at its cap', '421 mx.test.example Too many concurrent SMTP connections; please try again later.\r\n', 421],
    ['multi-line', '421-mx.test.example busy\r\n421 4.7.0 try again later\r\n', 421],
    ['a TLS alert', '\x15\x03\x03\x00\x02\x02\x50', null],
    ['half a line', '421 mx.test', null],
  ])('%s', (_name, bytes, code) => {
    const e = implicitRefusal(Buffer.from(bytes, 'latin1'));
    if (code === null) expect(e).toBeNull();
    else expect(e?.toInfo()).toMatchObject({ phase: 'banner', code: 'smtp-reply', reply: { code } });
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
