// A SHA-1-signed chain and an RSA 1024 leaf through a real handshake: the facts and the verdict
// are the same whatever --protocols says (security level 0 for every range, as Postfix's client
// context), and the weakness is a finding of its own at the severity Postfix gives it — checked
// against posttls-finger (Postfix 3.7 on OpenSSL 3) where it is installed.
import { beforeAll, describe, expect, it } from 'vitest';
import { findPosttlsFinger, runPosttlsFinger } from '../../fixtures/policy/posttls-finger.js';
import type { Pki } from '../../fixtures/pki.js';
import type { SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { finding, options, probePort, TEST_HOST, useFixtures } from './helpers.js';

const fx = useFixtures();
let pki: Pki;
let sha1: SmtpFixture;
let rsa1024: SmtpFixture;
beforeAll(async () => {
  pki = await fx.pki();
  // The server side must be at level 0 too, or OpenSSL refuses to load the SHA-1 certificate.
  sha1 = await fx.smtp({ leaf: pki.leaves.sha1, ciphers: 'DEFAULT@SECLEVEL=0' });
  rsa1024 = await fx.smtp({ leaf: pki.leaves.rsa1024 });
});

describe('a SHA-1-signed chain', () => {
  it('the facts: the leaf is sha1WithRSAEncryption, negotiated TLS 1.3', async () => {
    const r = await probePort(sha1.port, options(pki, { level: 'may' }));
    expect(r.certificates[0].signatureAlgorithm).toBe('sha1WithRSAEncryption');
    expect(r.tls?.protocol).toBe('TLSv1.3');
  });

  it.each(['verify', 'secure'] as const)('level %s: same trust fact with and without --protocols ">=TLSv1.2", CRITICAL weak-signature both times', async (level) => {
    const [all, modern] = await Promise.all([
      probePort(sha1.port, options(pki, { level, match: level === 'secure' ? [TEST_HOST] : undefined })),
      probePort(sha1.port, options(pki, { level, match: level === 'secure' ? [TEST_HOST] : undefined, protocols: '>=TLSv1.2' })),
    ]);
    for (const r of [all, modern]) {
      expect(r.tls?.protocol).toBe('TLSv1.3');
      expect(r.verification?.trusted).toBe(true);
      expect(r.verification?.hostnameMatch).toBe(true);
      expect(finding(r, 'weak-signature')).toMatchObject({ severity: 'critical' });
      expect(finding(r, 'validation-failure')).toBeUndefined();
      expect(r.status).toBe('critical');
    }
    expect(modern.verification).toEqual(all.verification);
    expect(modern.findings).toEqual(all.findings);
  });

  it.each([
    ['may', {}],
    ['encrypt', {}],
    ['fingerprint', { matchLeaf: true }],
  ] as const)('level %s: a WARNING, delivery works', async (level, o) => {
    const extra = 'matchLeaf' in o ? { match: [pki.leaves.sha1.sha256] } : {};
    const [all, modern] = await Promise.all([
      probePort(sha1.port, options(pki, { level, ...extra })),
      probePort(sha1.port, options(pki, { level, ...extra, protocols: '>=TLSv1.2' })),
    ]);
    for (const r of [all, modern]) {
      expect(finding(r, 'weak-signature')).toMatchObject({ severity: 'warning' });
      expect(r.status).toBe('warning');
    }
  });
});

describe('an RSA 1024 leaf', () => {
  it('a WARNING at verify (allowed at security level 1, under 112-bit security)', async () => {
    const r = await probePort(rsa1024.port, options(pki, { level: 'verify' }));
    expect(r.certificates[0].key).toMatchObject({ type: 'rsa', bits: 1024 });
    expect(finding(r, 'weak-key')).toMatchObject({ severity: 'warning' });
    expect(r.status).toBe('warning');
  });
});

// posttls-finger is Postfix's own client code (tls_client_start): what it says is what smtp(8) does.
const PTF = findPosttlsFinger();
const PTF_REQUIRED = process.env.CI === 'true';
if (!PTF && !PTF_REQUIRED) console.warn('\n*** SKIPPING the posttls-finger cross-check: posttls-finger not found ***\n');

describe.skipIf(!PTF && !PTF_REQUIRED)('the same verdict as posttls-finger', () => {
  it.each([
    ['may', 'Trusted', 'warning'],
    ['encrypt', 'Trusted', 'warning'],
    ['verify', 'Untrusted', 'critical'],
    ['secure', 'Untrusted', 'critical'],
  ] as const)('SHA-1 chain at %s: posttls-finger says %s, mxprobe %s', async (level, connection, status) => {
    if (!PTF) throw new Error('posttls-finger is required when CI=true (apt-get install postfix)');
    const [ptf, r] = await Promise.all([
      runPosttlsFinger(PTF, { level, port: sha1.port, caFile: pki.root.path, match: level === 'verify' || level === 'secure' ? [TEST_HOST] : [] }),
      probePort(sha1.port, options(pki, { level, match: level === 'secure' ? [TEST_HOST] : undefined })),
    ]);
    expect(ptf.connection, ptf.output).toBe(connection);
    if (connection === 'Untrusted') expect(ptf.verifyError).toMatch(/CA signature digest algorithm too weak/);
    expect(r.status).toBe(status);
  });
});
