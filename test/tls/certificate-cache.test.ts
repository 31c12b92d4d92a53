// The per-certificate facts cache gives exactly what computing them gives (same JSON, byte for
// byte, days left from the caller's clock), and every caller its own copy.
import { X509Certificate } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { chainCertificateFacts } from '../../src/tls/certificate-cache.js';
import { certificateFacts } from '../../src/tls/certificate.js';
import { withPostfixFingerprints } from '../../src/fingerprint.js';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});
afterAll(() => {
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

const computed = (c: X509Certificate, now: number, pem: boolean, digest: 'sha256' | 'sha1' | 'md5') => withPostfixFingerprints(certificateFacts(c, now, pem), c, digest);

describe('chainCertificateFacts', () => {
  it('is certificateFacts with the fingerprints, byte for byte, on a miss and on a hit', () => {
    for (const leaf of [pki.leaves.good, pki.leaves.ecdsa, pki.leaves.selfSigned]) {
      const c = new X509Certificate(leaf.certPem);
      const now = Date.now();
      for (let i = 0; i < 2; i++) {
        for (const pem of [false, true]) {
          for (const digest of ['sha256', 'sha1'] as const) {
            expect(JSON.stringify(chainCertificateFacts(c, now, pem, digest))).toBe(JSON.stringify(computed(c, now, pem, digest)));
          }
        }
      }
    }
  });

  it('counts the days from the caller’s clock, not from the first computation', () => {
    const c = new X509Certificate(pki.leaves.good.certPem);
    const now = Date.now();
    const first = chainCertificateFacts(c, now, false, 'sha256');
    const later = chainCertificateFacts(c, now + 30 * 86_400_000, false, 'sha256');
    expect(later.daysRemaining).toBe(first.daysRemaining - 30);
    expect(later.daysRemaining).toBe(computed(c, now + 30 * 86_400_000, false, 'sha256').daysRemaining);
  });

  it('gives each caller its own copy', () => {
    const c = new X509Certificate(pki.leaves.good.certPem);
    const a = chainCertificateFacts(c, Date.now(), false, 'sha256');
    a.san.dns.push('changed.example');
    a.key.bits = 1;
    a.fingerprints!.certificate = 'changed';
    a.subject = 'changed';
    const b = chainCertificateFacts(c, Date.now(), false, 'sha256');
    expect(b.san.dns).not.toContain('changed.example');
    expect(b.key.bits).toBe(2048);
    expect(b.fingerprints!.certificate).not.toBe('changed');
    expect(b.subject).not.toBe('changed');
  });
});
