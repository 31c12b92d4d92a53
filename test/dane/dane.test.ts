// DANE at levels dane / dane-only against a dns-packet fixture answering with and
// without the AD bit, one zone per DANE case the tests pin, and the SMTP fixture serving the
// test PKI's leaf + intermediate at mx.test.example (127.0.0.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { daneZone, DOMAIN, tlsaName, type DaneCase } from '../../fixtures/dane/zones.js';
import { tlsa, tlsaText } from '../../fixtures/dane/records.js';
import type { Pki } from '../../fixtures/pki.js';
import { probeAll } from '../../src/index.js';
import type { Level, ProbeOptions, ProbeResult } from '../../src/types.js';
import { finding, options, useFixtures } from '../probe/helpers.js';

const fx = useFixtures();
let pki: Pki;
let port: number;
const dnsServers: DnsFixture[] = [];
afterAll(async () => {
  await Promise.all(dnsServers.map((d) => d.close()));
});

beforeAll(async () => {
  pki = await fx.pki();
  port = (await fx.smtp({ leaf: pki.leaves.good })).port;
});

async function daneProbe(c: DaneCase, level: Level, extra: ProbeOptions = {}, smtpPort = port): Promise<{ r: ProbeResult; dns: DnsFixture }> {
  const dns = await startDnsServer(daneZone(c, smtpPort, pki));
  dnsServers.push(dns);
  // No servername: SNI and names come from the MX host, as for a real MX lookup.
  const o = { ...options(pki, { level, resolver: [dns.server], ...extra }), servername: undefined };
  const [r] = await probeAll(`${DOMAIN}:${smtpPort}`, o);
  return { r, dns };
}

const codes = (r: ProbeResult) => r.findings.filter((f) => f.severity !== 'info').map((f) => f.code);

describe('signed zone (AD on every answer)', () => {
  it('3 1 1 matching the leaf: authenticated by DANE-EE at depth 0', async () => {
    const { r, dns } = await daneProbe('ee-match', 'dane');
    expect(r.status).toBe('ok');
    expect(r.dane).toMatchObject({ mxSecure: true, addressSecure: true, lookup: 'secure', ad: true, effectiveLevel: 'dane', authenticated: true, matchedBy: 'dane-ee', tlsaName: tlsaName(port) });
    expect(r.dane!.records[0]).toMatchObject({ usage: 3, selector: 1, matchingType: 1, usable: true, match: { depth: 0 } });
    expect(r.dane!.records[0].match!.sha256).toBe(pki.leaves.good.sha256);
    expect(finding(r, 'dane-authenticated')?.message).toMatch(/DANE-EE.*depth 0/);
    // Every query asked for DNSSEC (DO bit), the TLSA one included.
    expect(dns.queries.find((q) => q.type === 'TLSA')?.dnssecOk).toBe(true);
    expect(dns.queries.every((q) => q.dnssecOk)).toBe(true);
  });

  it('2 1 1 matching the intermediate: DANE-TA at depth 1, the leaf names the MX host', async () => {
    const { r } = await daneProbe('ta-intermediate', 'dane-only');
    expect(r.status).toBe('ok');
    expect(r.dane).toMatchObject({ authenticated: true, matchedBy: 'dane-ta', nameMatch: true });
    expect(r.dane!.records[0].match).toMatchObject({ depth: 1, sha256: pki.intermediate.sha256 });
  });

  it('stale 3 1 1 (key of a certificate no longer served): critical, Postfix defers', async () => {
    for (const level of ['dane', 'dane-only'] as const) {
      const { r } = await daneProbe('stale-ee', level);
      expect(r.status).toBe('critical');
      expect(codes(r)).toEqual(['dane-mismatch']);
      expect(r.dane).toMatchObject({ effectiveLevel: 'dane', authenticated: false });
      expect(r.dane!.records[0].match).toBeNull();
      // The level is not met: no MAIL was sent after TLS.
      expect(r.smtp.replies.map((x) => x.command.split(' ')[0])).not.toContain('MAIL');
    }
  });

  it('only usages 0/1 (PKIX-TA/EE): unusable; dane falls back to encrypt, dane-only defers', async () => {
    const dane = (await daneProbe('pkix-only', 'dane')).r;
    expect(dane.dane).toMatchObject({ effectiveLevel: 'encrypt', authenticated: null });
    expect(dane.dane!.records.every((x) => !x.usable)).toBe(true);
    // The PKIX-EE record does match the leaf; it is reported, just not used.
    expect(dane.dane!.records[1].match?.depth).toBe(0);
    expect(dane.status).toBe('warning');
    expect(codes(dane)).toEqual(['tlsa-unusable']);
    expect(finding(dane, 'tlsa-record-unusable')).toBeDefined();
    const only = (await daneProbe('pkix-only', 'dane-only')).r;
    expect(only.status).toBe('critical');
    expect(codes(only)).toEqual(['dane-required']);
  });

  it('secure denial of TLSA (NODATA with AD): dane falls back to may', async () => {
    const { r } = await daneProbe('no-tlsa', 'dane');
    expect(r.dane).toMatchObject({ lookup: 'no-records', effectiveLevel: 'may', records: [] });
    expect(r.status).toBe('ok');
    // At level may the untrusted-for-this-name certificate is reported, not judged.
    expect(finding(r, 'dane-not-applicable')).toBeDefined();
  });

  it('SERVFAIL on the TLSA lookup (a validation failure): critical at both levels, never a downgrade', async () => {
    for (const level of ['dane', 'dane-only'] as const) {
      const { r } = await daneProbe('servfail', level);
      expect(r.dane).toMatchObject({ lookup: 'dns-error', dnsStatus: 'SERVFAIL', effectiveLevel: 'defer' });
      expect(r.status).toBe('critical');
      expect(codes(r)).toContain('tlsa-lookup-failed');
      expect(r.smtp.replies.map((x) => x.command.split(' ')[0])).not.toContain('MAIL');
    }
  });

  it('truncated UDP answer: the TLSA lookup is retried over TCP', async () => {
    const { r, dns } = await daneProbe('truncated', 'dane');
    const tlsaQueries = dns.queries.filter((q) => q.type === 'TLSA');
    expect(tlsaQueries.map((q) => q.transport)).toEqual(['udp', 'tcp']);
    expect(r.dane!.records).toHaveLength(3);
    expect(r.dane!.records.map((x) => x.match?.depth ?? null)).toEqual([0, 0, 1]);
    expect(r.status).toBe('ok');
  });

  it("CNAME'd MX: TLSA at the expanded name first", async () => {
    const { r, dns } = await daneProbe('cname-mx', 'dane');
    expect(r.dane).toMatchObject({ baseDomain: 'mx.test.example', authenticated: true, matchedBy: 'dane-ee' });
    expect(dns.queries.filter((q) => q.type === 'TLSA').map((q) => q.name)).toEqual([tlsaName(port)]);
    expect(r.status).toBe('ok');
  });

  it("CNAME'd MX: nothing at the expanded name, records at the original; DANE-TA accepts either name", async () => {
    const { r, dns } = await daneProbe('cname-mx-original', 'dane');
    expect(dns.queries.filter((q) => q.type === 'TLSA').map((q) => q.name)).toEqual([tlsaName(port), tlsaName(port, 'mail.dane.example')]);
    expect(r.dane).toMatchObject({ baseDomain: 'mail.dane.example', authenticated: true, matchedBy: 'dane-ta', nameMatch: true });
    expect(r.dane!.checkedNames).toEqual(['mx.test.example', 'mail.dane.example']);
  });
});

describe('DANE-EE ignores names and dates; DANE-TA does not', () => {
  it('3 1 1 authenticates an expired leaf for another name', async () => {
    const s = await fx.smtp({ leaf: pki.leaves.expired });
    const zone = daneZone('ee-match', s.port, pki);
    zone[tlsaName(s.port)].TLSA = [tlsa(pki.leaves.expired.certPem, 3, 1, 1)];
    const dns = await startDnsServer(zone);
    dnsServers.push(dns);
    const [r] = await probeAll(`${DOMAIN}:${s.port}`, { ...options(pki, { level: 'dane-only', resolver: [dns.server] }), servername: undefined });
    expect(r.verification?.trusted).toBe(false);
    expect(r.dane).toMatchObject({ authenticated: true, matchedBy: 'dane-ee' });
    expect(r.status).toBe('ok');
  });

  it('2 1 1 of the intermediate with a leaf for another name: dane-ta-name-mismatch', async () => {
    const s = await fx.smtp({ leaf: pki.leaves.wrongName });
    const { r } = await daneProbe('ta-intermediate', 'dane', {}, s.port);
    expect(r.dane).toMatchObject({ authenticated: false, nameMatch: false });
    expect(r.status).toBe('critical');
    expect(codes(r)).toEqual(['dane-ta-name-mismatch']);
  });

  it('2 1 1 of the intermediate with an expired leaf: the DANE-TA chain is judged on dates', async () => {
    const s = await fx.smtp({ leaf: pki.leaves.expired });
    const { r } = await daneProbe('ta-intermediate', 'dane', {}, s.port);
    expect(r.dane).toMatchObject({ authenticated: false });
    expect(r.dane!.failure).toMatch(/expired/);
    expect(r.status).toBe('critical');
  });
});

describe('insecure lookups: no TLSA lookup at all', () => {
  it('unsigned zone: dane behaves as may, dane-only fails', async () => {
    const dane = await daneProbe('unsigned', 'dane');
    expect(dane.r.dane).toMatchObject({ mxSecure: false, lookup: 'not-looked-up', effectiveLevel: 'may' });
    expect(dane.dns.queries.some((q) => q.type === 'TLSA')).toBe(false);
    expect(dane.r.status).toBe('ok');
    const only = await daneProbe('unsigned', 'dane-only');
    expect(only.r.status).toBe('critical');
    expect(codes(only.r)).toEqual(['dane-required']);
  });

  it('insecure MX answer with a signed host zone: dane still uses the host TLSA (Postfix >= 3.6 smtp_tls_dane_insecure_mx_policy)', async () => {
    const { r, dns } = await daneProbe('insecure-mx', 'dane');
    expect(r.dane).toMatchObject({ mxSecure: false, addressSecure: true });
    expect(dns.queries.some((q) => q.type === 'TLSA')).toBe(true);
  });

  it('insecure MX answer at dane-only: no TLSA, mail deferred (RFC 7672 §2.2.1)', async () => {
    const { r, dns } = await daneProbe('insecure-mx', 'dane-only');
    expect(r.dane).toMatchObject({ mxSecure: false, addressSecure: true, effectiveLevel: 'defer' });
    expect(dns.queries.some((q) => q.type === 'TLSA')).toBe(false);
    expect(r.status).toBe('critical');
  });

  it('[host] destination: no MX lookup to secure, the address answer decides', async () => {
    const dns = await startDnsServer(daneZone('ee-match', port, pki));
    dnsServers.push(dns);
    const [r] = await probeAll(`[mx.test.example]:${port}`, { ...options(pki, { level: 'dane-only', resolver: [dns.server] }), servername: undefined });
    expect(r.dane).toMatchObject({ mxSecure: null, addressSecure: true, authenticated: true });
    expect(r.status).toBe('ok');
  });
});

describe('TLSRPT next to DANE', () => {
  it('parsed when published', async () => {
    const { r } = await daneProbe('ee-match', 'dane');
    expect(r.tlsrpt).toEqual({ domain: DOMAIN, record: 'v=TLSRPTv1; rua=mailto:tlsrpt@dane.example', rua: ['mailto:tlsrpt@dane.example'], error: null });
  });

  it('missing while DANE is in use: a warning', async () => {
    const dns = await startDnsServer(daneZone('ee-match', port, pki, { tlsrpt: false }));
    dnsServers.push(dns);
    const [r] = await probeAll(`${DOMAIN}:${port}`, { ...options(pki, { level: 'dane', resolver: [dns.server] }), servername: undefined });
    expect(r.tlsrpt).toMatchObject({ record: null, rua: [] });
    expect(r.status).toBe('warning');
    expect(codes(r)).toEqual(['tlsrpt-missing']);
  });
});

describe('--next-cert (rollover)', () => {
  it('next certificate not covered: says which record to add', async () => {
    const { r } = await daneProbe('ee-match', 'dane', { nextCert: pki.leaves.ecdsa.chainPem });
    expect(r.dane!.nextCert).toMatchObject({ ready: false, spkiSha256: pki.leaves.ecdsa.spkiSha256 });
    const want = tlsaText(tlsa(pki.leaves.ecdsa.certPem, 3, 1, 1));
    expect(r.dane!.nextCert!.add).toEqual([want]);
    expect(finding(r, 'rollover-tlsa-missing')?.message).toContain(want);
    expect(r.status).toBe('warning');
  });

  it('current + next published: ready', async () => {
    const dns = await startDnsServer(daneZone('ee-match', port, pki));
    dnsServers.push(dns);
    dns.zone[tlsaName(port)].TLSA!.push(tlsa(pki.leaves.ecdsa.certPem, 3, 1, 1));
    const [r] = await probeAll(`${DOMAIN}:${port}`, { ...options(pki, { level: 'dane', resolver: [dns.server], nextCert: pki.leaves.ecdsa.certPem }), servername: undefined });
    expect(r.dane!.nextCert!.ready).toBe(true);
    expect(r.dane!.records.map((x) => x.matchesNextCert)).toEqual([false, true]);
    expect(r.status).toBe('ok');
  });

  it('a 2 1 1 of the intermediate also covers a next leaf from the same intermediate', async () => {
    const { r } = await daneProbe('ta-intermediate', 'dane', { nextCert: pki.leaves.ecdsa.certPem });
    expect(r.dane!.nextCert!.ready).toBe(true);
  });
});
