// Certificate and public-key fingerprints the way Postfix computes and looks them up
// (src/tls/tls_fprint.c tls_cert_fprint(), tls_pkey_fprint(): the digest of the certificate
// DER and of the SubjectPublicKeyInfo DER, uppercase hex bytes joined by ":"), with the digest
// of smtpd_tls_fingerprint_digest / smtp_tls_fingerprint_digest (sha256 since
// compatibility_level 3.6, md5 before). permit_tls_clientcerts and check_ccert_access look up
// both (src/smtpd/smtpd_check.c), and so does the smtp client's fingerprint level.
import { X509Certificate } from 'node:crypto';
import { UsageError } from './errors.js';
import type { CertificateFacts, FingerprintReport, PostfixFingerprints } from './types.js';
import { digestOf, parseSubjectAltName, spkiDer } from './tls/certificate.js';

export type FingerprintDigest = PostfixFingerprints['digest'];
export const FINGERPRINT_DIGESTS: readonly FingerprintDigest[] = ['sha256', 'sha1', 'md5'];

export function postfixFingerprints(cert: X509Certificate, digest: FingerprintDigest = 'sha256'): PostfixFingerprints {
  return { digest, certificate: digestOf(cert.raw, digest), publicKey: digestOf(spkiDer(cert), digest) };
}

/** Adds the Postfix fingerprints for the run's digest to a certificate's facts (the JSON `fingerprints`). */
export function withPostfixFingerprints(facts: CertificateFacts, cert: X509Certificate, digest: FingerprintDigest): CertificateFacts {
  facts.fingerprints = postfixFingerprints(cert, digest);
  return facts;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The report for the first certificate in a PEM text (what `mxprobe fingerprint --cert FILE` prints). */
export function fingerprintReport(pem: string, digest: FingerprintDigest = 'sha256', flag = '--cert'): FingerprintReport {
  if (!FINGERPRINT_DIGESTS.includes(digest)) throw new UsageError(`--digest: '${digest}' is not one of ${FINGERPRINT_DIGESTS.join(', ')}`);
  const blocks: string[] = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw new UsageError(`${flag}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(blocks[0]);
  } catch {
    throw new UsageError(`${flag}: the first certificate in the file is not a valid X.509 certificate`);
  }
  const fingerprints = postfixFingerprints(cert, digest);
  const names = namesOf(cert);
  const subject = oneLine(cert.subject);
  // relay_clientcerts ignores its right-hand side; a name there tells the next admin whose key it is.
  const label = names[0] ?? subject.replace(/\s+/g, '_');
  const both = [fingerprints.certificate, fingerprints.publicKey];
  return {
    subject,
    issuer: oneLine(cert.issuer),
    notAfter: new Date(cert.validTo).toISOString(),
    names,
    chainCertificates: blocks.length - 1,
    fingerprints,
    relayClientcerts: both.map((fp) => `${fp} ${label}`),
    checkCcertAccess: both.map((fp) => `${fp} OK`),
    tlsPolicyMatch: `match=${both.join('|')}`,
  };
}

function namesOf(cert: X509Certificate): string[] {
  const { dns } = parseSubjectAltName(cert.subjectAltName);
  if (dns.length) return dns;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject);
  return cn ? [cn[1]] : [];
}

const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');
