// The renderer is pure: a ScanResult in, text out; no ANSI without colour; findings carry the setting.
import { describe, expect, it } from 'vitest';
import { renderScan, scanVerdictLine } from '../../src/report/scan.js';
import { stripAnsi } from '../../src/report/color.js';
import { gradeScan } from '../../src/scan/profiles/index.js';
import { CLI_OPTIONS } from '../../src/cli-options.js';

const parseProfile = CLI_OPTIONS.find((o) => o.long === 'profile')!.parse!;
import type { ScanResult } from '../../src/types.js';

function sample(): ScanResult {
  const r: ScanResult = {
    schemaVersion: 2, kind: 'scan', destination: '[mx.example]:25', host: 'mx.example', address: '192.0.2.1', port: 25, mode: 'starttls', profile: 'ncsc',
    quick: false, status: 'unknown', findings: [], error: null, incomplete: false, negotiated: null,
    protocols: [
      { protocol: 'SSLv3', accepted: false, ciphers: [], serverOrder: null, complete: true, candidates: 23, untested: [], untestedReason: null },
      { protocol: 'TLSv1', accepted: true, ciphers: [{ name: 'AES128-SHA', standardName: 'TLS_RSA_WITH_AES_128_CBC_SHA', id: '0x00,0x2F', bits: 128, keyExchange: 'RSA', authentication: 'RSA', grade: 'high', anonymous: false, keyExchangeGroup: null }], serverOrder: null, complete: true, candidates: 27, untested: [], untestedReason: null },
      { protocol: 'TLSv1.3', accepted: true, ciphers: [{ name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', id: '0x13,0x02', bits: 256, keyExchange: 'any', authentication: 'any', grade: 'high', anonymous: false, keyExchangeGroup: 'X25519' }], serverOrder: null, complete: false, candidates: 5, untested: ['TLS_AES_128_CCM_SHA256'], untestedReason: 'rate-limited: 421 Too many connections (greeting)' },
    ],
    groups: [
      { name: 'X25519', accepted: true, protocol: 'TLSv1.3', bits: 253, hybrid: false, untestedReason: null },
      { name: 'X25519MLKEM768', accepted: null, protocol: 'TLSv1.3', bits: null, hybrid: true, untestedReason: 'not tried: the scan deadline of 5000 ms was reached' },
    ],
    dheBits: null, certificates: [],
    features: {
      sessionIdResumption: true, ticketResumption: true, secureRenegotiation: true, compression: 'none', ocspStapling: false, starttlsInjection: 'not-vulnerable',
      fallbackScsv: null, heartbleed: [{ protocol: 'TLSv1', vulnerable: false }], untested: { fallbackScsv: 'not applicable: only TLSv1.3 is accepted' },
    },
    attempts: { connections: 9, unavailable: 0, retries: 0, maxParallel: 4, rateLimited: 0, backoffMs: 0, adaptive: false }, timingMs: { total: 120 },
  };
  return Object.assign(r, gradeScan('ncsc', r));
}

describe('renderScan', () => {
  it('groups ciphers by protocol, lists findings with the Postfix setting, no ANSI when colour is off', () => {
    const text = renderScan(sample(), { color: false });
    expect(text).toBe(stripAnsi(text));
    expect(text.split('\n')[0]).toBe('WARNING mx.example[192.0.2.1]:25 STARTTLS profile ncsc: TLSv1 TLSv1.3 — 0 critical, 2 warning');
    expect(text).toMatch(/TLSv1 {4}enabled/);
    expect(text).toMatch(/Accepted {3}TLSv1 +128 bits {2}AES128-SHA/);
    expect(text).toMatch(/WARNING {2}TLSv1 accepted \(phase-out\)\n {11}→ smtpd_tls_protocols = >=TLSv1.2/);
    expect(text).toContain('STARTTLS injection: not vulnerable');
  });

  it('says what was not tested and why, in every list', () => {
    const text = renderScan(sample(), { color: false });
    expect(text).toContain('TLSv1.3  1 accepted, 3 refused, 1 not tested (rate-limited: 421 Too many connections (greeting)): TLS_AES_128_CCM_SHA256 of 5 offered');
    expect(text).toMatch(/X25519MLKEM768 +hybrid {2}not tested \(not tried: the scan deadline of 5000 ms was reached\)/);
    expect(text).toContain('TLS Fallback SCSV (RFC 7507): not tested (not applicable: only TLSv1.3 is accepted)');
    expect(text).toContain('Heartbleed: TLSv1 not vulnerable');
    const untestedProtocol = { ...sample(), protocols: [{ protocol: 'TLSv1.2' as const, accepted: null, ciphers: [], serverOrder: null, complete: false, candidates: 89, untested: [], untestedReason: 'the server failed the handshake (alert 80 internal_error)' }] };
    expect(renderScan(untestedProtocol, { color: false })).toMatch(/TLSv1.2 {2}not tested \(the server failed the handshake \(alert 80 internal_error\)\)/);
  });

  it('colour only when asked', () => {
    expect(renderScan(sample(), { color: true })).toContain('\u001b[');
    expect(scanVerdictLine({ ...sample(), error: { phase: 'connect', code: 'refused', message: 'connection refused' }, status: 'critical' })).toContain('connection refused');
  });

  it('--profile accepts the three names, case-insensitively, and nothing else', () => {
    expect(parseProfile('NCSC')).toBe('ncsc');
    expect(parseProfile('mozilla-modern')).toBe('mozilla-modern');
    expect(() => parseProfile('pci')).toThrow(/not one of ncsc, mozilla-intermediate, mozilla-modern/);
  });
});
