// `mxprobe fingerprint`: the digests Postfix computes (certificate DER and SubjectPublicKeyInfo
// DER, uppercase colon hex), checked against the openssl CLI for every digest Postfix offers,
// and the table lines an admin pastes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLIENT_NAME } from '../../fixtures/client-certs.js';
import { useClientCerts } from './helpers.js';
import { fingerprintReport, postfixFingerprints, withPostfixFingerprints } from '../../src/fingerprint.js';
import { fingerprintJson, renderFingerprint } from '../../src/report/fingerprint.js';
import { certificateFacts } from '../../src/tls/certificate.js';
import { UsageError } from '../../src/errors.js';

const run = promisify(execFile);
const fx = useClientCerts();

/** What openssl says, independently: `x509 -fingerprint` and the digest of `-pubkey` as DER. */
async function opensslFingerprints(certFile: string, digest: string): Promise<{ certificate: string; publicKey: string }> {
  const cert = (await run('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', `-${digest}`])).stdout;
  const key = (await run('sh', ['-c', `openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -${digest} -c`, 'sh', certFile])).stdout;
  return { certificate: cert.split('=')[1].trim().toUpperCase(), publicKey: key.split('= ')[1].trim().toUpperCase() };
}

describe('Postfix fingerprints', () => {
  it.each(['sha256', 'sha1', 'md5'] as const)('equal openssl\'s for %s (client EC key)', async (digest) => {
    const r = fingerprintReport(readFileSync(fx.certs.combinedFile, 'utf8'), digest);
    expect(r.fingerprints).toEqual({ digest, ...(await opensslFingerprints(fx.certs.certFile, digest)) });
  });

  it('equal openssl\'s for an RSA server certificate', async () => {
    const r = fingerprintReport(fx.pki.leaves.good.chainPem, 'sha256');
    expect(r.fingerprints).toEqual({ digest: 'sha256', ...(await opensslFingerprints(fx.pki.leaves.good.certPath, 'sha256')) });
    // The test PKI computed its own SHA-256 independently as well.
    expect(r.fingerprints.certificate).toBe(fx.pki.leaves.good.sha256);
    expect(r.fingerprints.publicKey).toBe(fx.pki.leaves.good.spkiSha256);
    expect(r.chainCertificates).toBe(1);
  });

  it('are added to a certificate\'s facts by one helper', () => {
    const x = new X509Certificate(fx.pki.leaves.good.certPem);
    const facts = withPostfixFingerprints(certificateFacts(x, Date.now(), false), x, 'md5');
    expect(facts.fingerprints).toEqual(postfixFingerprints(x, 'md5'));
    expect(facts.fingerprints!.certificate).toMatch(/^([0-9A-F]{2}:){15}[0-9A-F]{2}$/);
  });
});

describe('the table lines', () => {
  it('relay_clientcerts, check_ccert_access and the tls_policy match= value', () => {
    const r = fingerprintReport(readFileSync(fx.certs.chainFile, 'utf8'));
    const { certificate, publicKey } = r.fingerprints;
    expect(r.names).toEqual([CLIENT_NAME]);
    expect(r.relayClientcerts).toEqual([`${certificate} ${CLIENT_NAME}`, `${publicKey} ${CLIENT_NAME}`]);
    expect(r.checkCcertAccess).toEqual([`${certificate} OK`, `${publicKey} OK`]);
    expect(r.tlsPolicyMatch).toBe(`match=${certificate}|${publicKey}`);
    const text = renderFingerprint(r);
    // Every line is a comment, blank, or a line of one of the tables: a section pasted with its comments is a valid map source.
    for (const line of text.trimEnd().split('\n')) {
      expect(line === '' || line.startsWith('#') || [...r.relayClientcerts, ...r.checkCcertAccess].includes(line) || line === `[${CLIENT_NAME}]:25 fingerprint ${r.tlsPolicyMatch}`).toBe(true);
    }
    expect(text).toContain(`# O=mxprobe tests, CN=${CLIENT_NAME}\n${certificate} OK\n`);
    expect(text).toContain('smtpd_tls_fingerprint_digest = sha256');
    expect(renderFingerprint(r, { table: 'relay_clientcerts' })).toBe(`${r.relayClientcerts.join('\n')}\n`);
    expect(renderFingerprint(r, { table: 'check_ccert_access' })).toBe(`${r.checkCcertAccess.join('\n')}\n`);
    expect(renderFingerprint(r, { table: 'tls_policy' })).toBe(`[${CLIENT_NAME}]:25 fingerprint ${r.tlsPolicyMatch}\n`);
    expect(JSON.parse(fingerprintJson(r))).toEqual(r);
  });

  it('cleans a hostile subject before it reaches the terminal', () => {
    const r = { ...fingerprintReport(fx.pki.leaves.good.certPem), subject: 'CN=evil\x1b[2J', names: ['evil\u202e.example'] };
    const text = renderFingerprint(r);
    expect(text).not.toMatch(/\x1b|\u202e/);
    expect(text).toContain('\\x1b[2J');
  });

  it.each([
    ['no certificate', () => readFileSync(fx.certs.keyFile, 'utf8'), /^--cert: no PEM certificate/],
    ['a broken certificate', () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /^--cert: the first certificate in the file is not a valid X\.509 certificate$/],
  ])('refuses %s with a UsageError', (_name, pem, message) => {
    expect(() => fingerprintReport(pem())).toThrow(UsageError);
    expect(() => fingerprintReport(pem())).toThrow(message);
  });

  it('refuses an unknown digest', () => {
    expect(() => fingerprintReport(fx.pki.leaves.good.certPem, 'sha512' as never)).toThrow(/^--digest: 'sha512' is not one of sha256, sha1, md5$/);
  });
});
