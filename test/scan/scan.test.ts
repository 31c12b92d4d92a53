// Scans of fixture servers built to differ in one way each; every test asserts the exact accepted
// set (and, with server order, the exact order: the fixture's cipher list).
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/index.js';
import { startSslv3Server } from '../../fixtures/scan/sslv3-server.js';
import { startScanFixture } from '../../fixtures/scan/tls-smtp-server.js';
import { WEAK_CIPHERS, scanFixtureOptions } from '../../fixtures/scan/configs.js';
import type { ScanResult } from '../../src/types.js';
import { SCAN_SHORT, accepted, codes, protocolsOf, useScanFixtures } from './helpers.js';

const fx = useScanFixtures();
const dest = (port: number) => `[127.0.0.1]:${port}`;
const TLS1_CIPHERS = WEAK_CIPHERS.filter((c) => !c.includes('GCM'));
/** Accepted cipher names per accepted protocol. */
const sets = (r: ScanResult) => Object.fromEntries(r.protocols.filter((p) => p.accepted).map((p) => [p.protocol, new Set(p.ciphers.map((c) => c.name))]));

describe('scan: protocols and ciphers', () => {
  it('TLS 1.0+1.1 with weak ciphers, server order: exact sets in the server\'s order', async () => {
    const f = await fx.start('weak');
    const r = await scan(dest(f.port), SCAN_SHORT);
    expect(r.error).toBeNull();
    expect(protocolsOf(r)).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2']);
    expect(accepted(r, 'TLSv1')).toEqual(TLS1_CIPHERS);
    expect(accepted(r, 'TLSv1.1')).toEqual(TLS1_CIPHERS);
    expect(accepted(r, 'TLSv1.2')).toEqual(WEAK_CIPHERS);
    expect(r.protocols.find((p) => p.protocol === 'TLSv1.2')?.serverOrder).toBe(true);
    const tls12 = r.protocols.find((p) => p.protocol === 'TLSv1.2')!.ciphers;
    expect(tls12.find((c) => c.name === 'NULL-SHA')?.grade).toBe('null');
    expect(tls12.find((c) => c.name === 'ADH-AES128-SHA')?.anonymous).toBe(true);
    expect(tls12.find((c) => c.name === 'ECDHE-RSA-AES128-GCM-SHA256')).toMatchObject({ grade: 'high', keyExchangeGroup: 'X25519', standardName: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' });
    // Only ADH is DHE here: OpenSSL's automatic parameters for a 128-bit suite.
    expect(r.dheBits).toBe(1024);
    expect(r.status).toBe('critical');
    expect(codes(r)).toEqual(expect.arrayContaining(['cipher-no-protection', 'protocol-tlsv1', 'protocol-tlsv11', 'cipher-phase-out', 'dh-params-insufficient']));
    const np = r.findings.find((x) => x.code === 'cipher-no-protection')!;
    expect(np.setting).toMatch(/smtpd_tls_exclude_ciphers = .*aNULL.*eNULL/);
    expect(r.findings.find((x) => x.code === 'protocol-tlsv1')!.setting).toMatch(/smtpd_tls_protocols = >=TLSv1.2.*smtpd_tls_mandatory_protocols/);
    expect(r.attempts.maxParallel).toBeLessThanOrEqual(4);
  });

  it('the same server without server order: same sets, serverOrder false, a finding for ncsc', async () => {
    const f = await fx.start('weakClientOrder');
    const r = await scan(dest(f.port), SCAN_SHORT);
    expect(new Set(accepted(r, 'TLSv1.2'))).toEqual(new Set(WEAK_CIPHERS));
    expect(new Set(accepted(r, 'TLSv1'))).toEqual(new Set(TLS1_CIPHERS));
    for (const p of ['TLSv1', 'TLSv1.1', 'TLSv1.2'] as const) expect(r.protocols.find((x) => x.protocol === p)?.serverOrder).toBe(false);
    expect(codes(r)).toContain('cipher-order-client');
    expect(r.findings.find((x) => x.code === 'cipher-order-client')!.setting).toBe('tls_preempt_cipherlist = yes');
  });

  it('TLS 1.3 only: the three default suites, two groups, no <= 1.2 features', async () => {
    const f = await fx.start('tls13Only');
    const r = await scan(dest(f.port), SCAN_SHORT);
    expect(protocolsOf(r)).toEqual(['TLSv1.3']);
    expect(new Set(accepted(r, 'TLSv1.3'))).toEqual(new Set(['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256']));
    expect(r.groups.filter((g) => g.accepted).map((g) => g.name)).toEqual(['X25519', 'P-256']);
    expect(r.groups.every((g) => g.protocol === 'TLSv1.3' && g.accepted !== null)).toBe(true);
    expect(r.features).toMatchObject({ secureRenegotiation: null, compression: null, sessionIdResumption: null, ticketResumption: true, starttlsInjection: 'not-vulnerable' });
    expect(r.dheBits).toBeNull();
    expect(r.status).toBe('ok');
    const modern = await scan(dest(f.port), { ...SCAN_SHORT, profile: 'mozilla-modern' });
    expect(modern.status).toBe('warning'); // RSA only: modern wants ECDSA
    expect(codes(modern)).toContain('no-ecdsa-certificate');
  });

  it('ECDSA + RSA certificates: one leaf per key type, both authentication kinds accepted', async () => {
    const pki = await fx.pki();
    const f = await fx.start('dual');
    const r = await scan(dest(f.port), SCAN_SHORT);
    const byType = Object.fromEntries(r.certificates.map((c) => [c.requested, c.leaf]));
    expect(byType.ecdsa?.sha256).toBe(pki.leaves.ecdsa.sha256);
    expect(byType.rsa?.sha256).toBe(pki.leaves.good.sha256);
    expect(accepted(r, 'TLSv1.2')).toEqual(expect.arrayContaining(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256']));
    expect(r.features.secureRenegotiation).toBe(true);
    expect(r.features.compression).toBe('none');
  });

  it('a Mozilla-intermediate server passes that profile', async () => {
    const f = await fx.start('modern');
    const r = await scan(dest(f.port), { ...SCAN_SHORT, profile: 'mozilla-intermediate' });
    expect(accepted(r, 'TLSv1.2')).toEqual(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305']);
    expect(r.groups.filter((g) => g.accepted).map((g) => g.name)).toEqual(['X25519', 'P-256', 'P-384']);
    expect(r.findings.filter((x) => x.severity !== 'info')).toEqual([]);
    expect(r.status).toBe('ok');
  });
});

describe('scan: hostile and broken servers', () => {
  it('STARTTLS command injection: RSET pipelined after STARTTLS answered inside TLS → critical', async () => {
    const f = await fx.start('injectable');
    const r = await scan(dest(f.port), SCAN_SHORT);
    expect(r.features.starttlsInjection).toBe('vulnerable');
    expect(f.tlsCommands).toContain('RSET');
    expect(r.findings[0]).toMatchObject({ severity: 'critical', code: 'starttls-injection' });
    const safe = await fx.start('tls13Only');
    expect((await scan(dest(safe.port), SCAN_SHORT)).features.starttlsInjection).toBe('not-vulnerable');
  });

  it('SSLv3 from a canned ServerHello: both of its suites, critical', async () => {
    const s = await startSslv3Server();
    fx.track(s.close);
    const r = await scan(dest(s.port), SCAN_SHORT);
    expect(protocolsOf(r)).toEqual(['SSLv3']);
    expect(accepted(r, 'SSLv3')).toEqual(['DES-CBC3-SHA', 'RC4-SHA']);
    expect(r.protocols.find((p) => p.protocol === 'SSLv3')!.ciphers.map((c) => c.grade)).toEqual(['medium', 'medium']);
    expect(r.status).toBe('critical');
    expect(codes(r)).toContain('protocol-sslv3');
  });

  it('421 for good after two connections: backs off, stops as rate-limited, incomplete, every untested unit says why', async () => {
    const pki = await fx.pki();
    const f = await startScanFixture({ certs: [{ key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem }], refuseAfter: 2 });
    fx.track(f.close);
    const r = await scan(dest(f.port), SCAN_SHORT);
    expect(r.incomplete).toBe(true);
    expect(r.error).toMatchObject({ phase: 'banner', code: 'rate-limited' });
    expect(r.error?.reply?.code).toBe(421);
    expect(r.attempts).toMatchObject({ adaptive: true });
    expect(codes(r)).toContain('scan-incomplete');
    // Bounded: the first wave, then one at a time until six refusals in a row; never a retry loop.
    expect(f.connections).toBeLessThanOrEqual(16);
    const untested = r.protocols.filter((p) => p.accepted === null || p.untested.length > 0);
    expect(untested.length).toBeGreaterThan(0);
    for (const p of untested) expect(p.untestedReason).toMatch(/rate-limited: 421 4\.7\.0/);
    for (const g of r.groups.filter((x) => x.accepted === null)) expect(g.untestedReason).toMatch(/rate-limited/);
    expect(Object.values(r.features.untested).join(' ')).toMatch(/rate-limited/);
  });

  it('421 from the first connection: a failed scan, critical, rate-limited, a handful of connections', async () => {
    const pki = await fx.pki();
    const f = await startScanFixture({ certs: [{ key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem }], refuseAfter: 0 });
    fx.track(f.close);
    const r = await scan(dest(f.port), SCAN_SHORT);
    expect(r.status).toBe('critical');
    expect(r.incomplete).toBe(false);
    expect(r.error).toMatchObject({ phase: 'banner', code: 'rate-limited' });
    expect(r.error?.reply?.code).toBe(421);
    expect(r.findings[0]).toMatchObject({ severity: 'critical', code: 'rate-limited' });
    // The first wave (four at once), then one at a time until six refusals in a row: bounded.
    expect(f.connections).toBeGreaterThanOrEqual(6);
    expect(f.connections).toBeLessThanOrEqual(10);
  });

  it('a capped server (3 sessions, a failed handshake holds its slot 100 ms): the same sets as without the cap, one at a time after the first 421', async () => {
    const pki = await fx.pki();
    const base = scanFixtureOptions('weak', pki);
    const free = await startScanFixture(base);
    const capped = await startScanFixture({ ...base, maxSessions: 3, lingerAfterFailureMs: 100 });
    fx.track(free.close);
    fx.track(capped.close);
    const [a, b] = [await scan(dest(free.port), SCAN_SHORT), await scan(dest(capped.port), SCAN_SHORT)];
    expect(a.attempts).toMatchObject({ adaptive: false, rateLimited: 0, backoffMs: 0, maxParallel: 4 });
    expect(capped.refusedForLimit).toBeGreaterThan(0);
    expect(b.attempts.adaptive).toBe(true);
    expect(b.attempts.rateLimited).toBe(capped.refusedForLimit);
    expect(b.incomplete).toBe(false);
    expect(b.error).toBeNull();
    for (const p of b.protocols) expect(p, p.protocol).toMatchObject({ complete: true, untested: [], untestedReason: null });
    expect(b.groups.every((g) => g.accepted !== null)).toBe(true);
    expect(Object.keys(b.features.untested).filter((k) => !b.features.untested[k as keyof typeof b.features.untested]!.startsWith('not applicable'))).toEqual([]);
    expect(sets(b)).toEqual(sets(a));
    expect(b.groups.filter((g) => g.accepted).map((g) => g.name)).toEqual(a.groups.filter((g) => g.accepted).map((g) => g.name));
    expect(b.status).toBe(a.status);
  });

  it('a capped implicit-TLS port refuses in plaintext (421 before TLS): read as the limit, not as refused ciphers', async () => {
    const pki = await fx.pki();
    const base = { ...scanFixtureOptions('weak', pki), implicit: true };
    const free = await startScanFixture(base);
    const capped = await startScanFixture({ ...base, maxSessions: 3, lingerAfterFailureMs: 100 });
    fx.track(free.close);
    fx.track(capped.close);
    const a = await scan(`smtps://127.0.0.1:${free.port}`, SCAN_SHORT);
    const b = await scan(`smtps://127.0.0.1:${capped.port}`, SCAN_SHORT);
    expect(capped.refusedForLimit).toBeGreaterThan(0);
    expect(b.attempts.adaptive).toBe(true);
    expect(b.error).toBeNull();
    expect(b.protocols.every((p) => p.complete)).toBe(true);
    expect(sets(b)).toEqual(sets(a));
  });

  it('a deadline cuts the scan short: incomplete, and every unit not reached says the deadline', async () => {
    const pki = await fx.pki();
    // Every greeting 150 ms late: the scan cannot finish in 400 ms.
    const f = await startScanFixture({ ...scanFixtureOptions('dual', pki), greetingDelayMs: 150 });
    fx.track(f.close);
    const r = await scan(dest(f.port), { ...SCAN_SHORT, deadlineMs: 400 });
    expect(r.incomplete).toBe(true);
    expect(r.error).toMatchObject({ code: 'timeout', message: 'scan deadline of 400 ms reached' });
    expect(r.timingMs.total).toBeLessThan(2_000);
    const reasons = [...r.protocols.map((p) => p.untestedReason), ...r.groups.map((g) => g.untestedReason), ...Object.values(r.features.untested)].filter(Boolean);
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons.some((why) => /deadline of 400 ms/.test(why!))).toBe(true);
    expect(codes(r)).toContain('scan-incomplete');
  });

  it('--per-host 1: never more than one connection at once', async () => {
    const f = await fx.start('tls13Only');
    const r = await scan(dest(f.port), { ...SCAN_SHORT, perHost: 1 });
    expect(r.attempts.maxParallel).toBe(1);
    expect(protocolsOf(r)).toEqual(['TLSv1.3']);
  });

  it('nothing listening: critical, refused, no retry storm', async () => {
    const f = await fx.start('tls13Only');
    const port = f.port;
    await f.close();
    const r = await scan(dest(port), SCAN_SHORT);
    expect(r.status).toBe('critical');
    expect(r.error?.code).toBe('refused');
    // The first wave of attempts (the default handshake starts with the rest), then nothing more.
    expect(r.attempts.connections).toBeLessThanOrEqual(4);
  });
});
