// One fixture server per test certificate: the chain as sent, the independently computed
// fingerprints, and the trust / name verdicts, each reported separately.
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki, PkiLeaf } from '../../fixtures/pki.js';
import type { ProbeOptions, VerifyReason } from '../../src/types.js';
import { finding, options, probePort, TEST_HOST, useFixtures } from './helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

async function probeLeaf(leaf: (p: Pki) => PkiLeaf, chain: 'chain' | 'leafOnly' | 'full' = 'chain', extra: ProbeOptions = {}) {
  const server = await fx.smtp({ leaf: leaf(pki), chain });
  return probePort(server.port, options(pki, extra));
}

interface Case {
  name: string;
  leaf: (p: Pki) => PkiLeaf;
  chain?: 'chain' | 'leafOnly' | 'full';
  extra?: ProbeOptions;
  status: 'ok' | 'warning' | 'critical';
  count: number;
  trusted: boolean;
  reason: VerifyReason | null;
  hostnameMatch: boolean;
  matchedName: string | null;
}

const cases: Case[] = [
  { name: 'good RSA leaf + intermediate', leaf: (p) => p.leaves.good, status: 'ok', count: 2, trusted: true, reason: null, hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'ECDSA P-256 leaf', leaf: (p) => p.leaves.ecdsa, status: 'ok', count: 2, trusted: true, reason: null, hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'served root too', leaf: (p) => p.leaves.good, chain: 'full', status: 'ok', count: 3, trusted: true, reason: null, hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'signed by the root directly', leaf: (p) => p.leaves.direct, status: 'ok', count: 1, trusted: true, reason: null, hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'missing intermediate', leaf: (p) => p.leaves.good, chain: 'leafOnly', status: 'critical', count: 1, trusted: false, reason: 'missing-intermediate', hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'expired', leaf: (p) => p.leaves.expired, status: 'critical', count: 2, trusted: false, reason: 'certificate-expired', hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'not yet valid', leaf: (p) => p.leaves.notYetValid, status: 'critical', count: 2, trusted: false, reason: 'certificate-not-yet-valid', hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'self-signed naming the host', leaf: (p) => p.leaves.selfSigned, status: 'critical', count: 1, trusted: false, reason: 'self-signed', hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'trusted, wrong name', leaf: (p) => p.leaves.wrongName, status: 'critical', count: 2, trusted: true, reason: null, hostnameMatch: false, matchedName: null },
  { name: 'wildcard, one label', leaf: (p) => p.leaves.wildcard, status: 'ok', count: 2, trusted: true, reason: null, hostnameMatch: true, matchedName: '*.test.example' },
  { name: 'wildcard, two labels', leaf: (p) => p.leaves.wildcard, extra: { servername: 'a.mx.test.example' }, status: 'critical', count: 2, trusted: true, reason: null, hostnameMatch: false, matchedName: null },
  { name: 'wildcard, parent name', leaf: (p) => p.leaves.wildcard, extra: { servername: 'test.example' }, status: 'critical', count: 2, trusted: true, reason: null, hostnameMatch: false, matchedName: null },
  { name: 'CN only, no SAN', leaf: (p) => p.leaves.cnOnly, status: 'ok', count: 2, trusted: true, reason: null, hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'IP SAN, no servername', leaf: (p) => p.leaves.ip, extra: { servername: undefined }, status: 'ok', count: 2, trusted: true, reason: null, hostnameMatch: true, matchedName: '127.0.0.1' },
  { name: 'good leaf, IP destination without servername', leaf: (p) => p.leaves.good, extra: { servername: undefined }, status: 'critical', count: 2, trusted: true, reason: null, hostnameMatch: false, matchedName: null },
  // encrypt and may report the certificate but do not judge it (DESIGN.md levels)
  { name: 'self-signed at level encrypt', leaf: (p) => p.leaves.selfSigned, extra: { level: 'encrypt' }, status: 'ok', count: 1, trusted: false, reason: 'self-signed', hostnameMatch: true, matchedName: TEST_HOST },
  { name: 'expired at level may', leaf: (p) => p.leaves.expired, extra: { level: 'may' }, status: 'ok', count: 2, trusted: false, reason: 'certificate-expired', hostnameMatch: true, matchedName: TEST_HOST },
];

describe('certificate verdicts', () => {
  it.each(cases)('$name', async (c) => {
    const r = await probeLeaf(c.leaf, c.chain, c.extra);
    expect(r.error).toBeNull();
    expect(r.status).toBe(c.status);
    expect(r.certificates).toHaveLength(c.count);
    expect(r.certificates[0].sha256).toBe(c.leaf(pki).sha256);
    expect(r.certificates[0].spkiSha256).toBe(c.leaf(pki).spkiSha256);
    expect(r.verification).toMatchObject({
      trusted: c.trusted,
      hostnameMatch: c.hostnameMatch,
      matchedName: c.matchedName,
      fingerprintMatch: null,
    });
    expect(r.verification!.error?.reason ?? null).toBe(c.reason);
  });
});

describe('certificate facts', () => {
  it('good RSA leaf: every field of the leaf and the intermediate', async () => {
    const r = await probeLeaf((p) => p.leaves.good);
    const leaf = pki.leaves.good;
    const x = new X509Certificate(leaf.certPem);
    const [c0, c1] = r.certificates;
    expect(c0.subject).toContain(`CN=${TEST_HOST}`);
    expect(c0.issuer).toContain('CN=mxprobe Test Intermediate CA');
    expect(c0.serial.replace(/:/g, '').toUpperCase().replace(/^0+/, '')).toBe(x.serialNumber.toUpperCase().replace(/^0+/, ''));
    expect(c0.san).toEqual({ dns: [TEST_HOST], ip: [] });
    expect(c0.notBefore).toBe(leaf.notBefore.toISOString());
    expect(c0.notAfter).toBe(leaf.notAfter.toISOString());
    expect(c0.daysRemaining).toBeGreaterThanOrEqual(89);
    expect(c0.daysRemaining).toBeLessThanOrEqual(90);
    expect(c0.key).toMatchObject({ type: 'rsa', bits: 2048, curve: null });
    expect(c0.signatureAlgorithm ?? '').toMatch(/sha256/i);
    expect(c0).toMatchObject({ isCA: false, selfSigned: false });
    expect(c0.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(c1.sha256).toBe(pki.intermediate.sha256);
    expect(c1).toMatchObject({ isCA: true, selfSigned: false });
    expect(c1.subject).toContain('CN=mxprobe Test Intermediate CA');
    expect(r.verification!.checkedNames).toEqual([TEST_HOST]);
  });

  it('ECDSA leaf: key type and curve', async () => {
    const r = await probeLeaf((p) => p.leaves.ecdsa);
    expect(r.certificates[0].key.type).toBe('ec');
    expect(r.certificates[0].key.bits).toBe(256);
    expect(r.certificates[0].key.curve).toMatch(/^(prime256v1|P-256)$/);
    expect(r.certificates[0].signatureAlgorithm ?? '').toMatch(/sha256/i);
  });

  it('served root is reported as a self-signed CA, last in the chain', async () => {
    const r = await probeLeaf((p) => p.leaves.good, 'full');
    expect(r.certificates.map((c) => c.sha256)).toEqual([pki.leaves.good.sha256, pki.intermediate.sha256, pki.root.sha256]);
    expect(r.certificates[2]).toMatchObject({ isCA: true, selfSigned: true });
  });

  it('self-signed leaf is flagged selfSigned, not CA', async () => {
    const r = await probeLeaf((p) => p.leaves.selfSigned);
    expect(r.certificates[0]).toMatchObject({ isCA: false, selfSigned: true });
  });

  it('wrong name: a host-mismatch finding next to a trusted chain', async () => {
    const r = await probeLeaf((p) => p.leaves.wrongName);
    expect(r.verification!.error).toBeNull();
    expect(finding(r, 'certificate-host-mismatch')?.severity).toBe('critical');
  });

  it('expired: days remaining is negative', async () => {
    const r = await probeLeaf((p) => p.leaves.expired);
    expect(r.certificates[0].daysRemaining).toBeLessThanOrEqual(-10);
    expect(r.certificates[0].daysRemaining).toBeGreaterThanOrEqual(-11);
  });

  it.each([
    [{}, 'critical'],
    [{ critDays: 3 }, 'warning'],
    [{ critDays: 1, warnDays: 2 }, 'ok'],
  ] as const)('leaf expiring in 5 days with %o → %s', async (extra, status) => {
    const r = await probeLeaf((p) => p.leaves.expiresSoon, 'chain', extra);
    expect(r.verification).toMatchObject({ trusted: true, hostnameMatch: true });
    expect(r.certificates[0].daysRemaining).toBeGreaterThanOrEqual(4);
    expect(r.certificates[0].daysRemaining).toBeLessThanOrEqual(5);
    expect(r.status).toBe(status);
    expect(finding(r, 'cert-expires-soon')?.severity).toBe(status === 'ok' ? undefined : status);
  });

  it.each([
    ['certificate SHA-256, lowercase without colons', (l: PkiLeaf) => l.sha256.toLowerCase().replace(/:/g, '')],
    ['SPKI SHA-256', (l: PkiLeaf) => l.spkiSha256],
    ['second of two values', (l: PkiLeaf) => `${'AB:'.repeat(31)}AB|${l.sha256}`],
  ] as const)('fingerprint level: --match %s passes an untrusted leaf', async (_what, value) => {
    const leaf = pki.leaves.selfSigned; // untrusted: only the fingerprint can make it pass
    const r = await probeLeaf(() => leaf, 'chain', { level: 'fingerprint', match: [value(leaf)] });
    expect(r.status).toBe('ok');
    expect(r.verification!.fingerprintMatch).toBe(true);
  });

  it('fingerprint level: a digest of another certificate fails', async () => {
    const leaf = pki.leaves.selfSigned;
    const bad = await probeLeaf(() => leaf, 'chain', { level: 'fingerprint', match: [pki.leaves.good.sha256] });
    expect(bad.status).toBe('critical');
    expect(bad.verification!.fingerprintMatch).toBe(false);
  });
});
