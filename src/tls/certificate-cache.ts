// A certificate's facts depend on its DER alone (and the digest asked for), save the days left
// and the PEM: computed once per certificate, not once per probe. Surveys meet the same
// certificates over and over (one hosting provider's certificate on thousands of MX hosts); each
// computation is ~0.2 ms of CPU (key details, SAN parse, four digests, a self-signature check).
// Keyed by the SHA-256 of the DER (X509Certificate.fingerprint256, computed natively); bounded,
// least recently used first out. Each caller gets its own copy.
import type { X509Certificate } from 'node:crypto';
import type { CertificateFacts } from '../types.js';
import { certificateFacts } from './certificate.js';
import { withPostfixFingerprints, type FingerprintDigest } from '../fingerprint.js';

const MAX_ENTRIES = 1024;
const DAY_MS = 86_400_000;
const cache = new Map<string, CertificateFacts>();

/** certificateFacts with Postfix's fingerprints in `digest`, as readPeer reports each certificate of a chain. */
export function chainCertificateFacts(cert: X509Certificate, now: number, withPem: boolean, digest: FingerprintDigest): CertificateFacts {
  const key = `${cert.fingerprint256} ${digest}`;
  let base = cache.get(key);
  if (base) {
    // Most recently used goes last: the oldest entry is the first to go.
    cache.delete(key);
    cache.set(key, base);
  } else {
    base = withPostfixFingerprints(certificateFacts(cert, now, false), cert, digest);
    cache.set(key, base);
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  }
  const { fingerprints, ...rest } = base;
  const facts: CertificateFacts = {
    ...rest,
    san: { dns: [...base.san.dns], ip: [...base.san.ip] },
    key: { ...base.key },
    daysRemaining: Math.floor((Date.parse(base.notAfter) - now) / DAY_MS),
  };
  // The order certificateFacts and withPostfixFingerprints give: pem, then fingerprints.
  if (withPem) facts.pem = cert.toString();
  if (fingerprints) facts.fingerprints = { ...fingerprints };
  return facts;
}
