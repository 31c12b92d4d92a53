import { isIP } from './ip.js';
import type { X509Certificate } from 'node:crypto';
import type { CertificateFacts, VerificationFacts, VerifyReason } from './types.js';
import { digestOf, normalizeIp, spkiDer } from './tls/certificate.js';

/**
 * Map OpenSSL's verify error (Node's authorizationError code) to the stable,
 * RFC 8460-flavoured reasons of types.ts.
 */
export function trustReason(code: string, chain: CertificateFacts[]): VerifyReason {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'certificate-expired';
    case 'CERT_NOT_YET_VALID':
      return 'certificate-not-yet-valid';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'self-signed';
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': {
      // The server sent a chain that stops short of a CA: with only a leaf (or a
      // last certificate that is not a CA) the intermediate is missing. A chain
      // ending in a CA certificate nobody trusts is simply untrusted.
      const last = chain[chain.length - 1];
      return last && !last.isCA ? 'missing-intermediate' : 'certificate-not-trusted';
    }
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'certificate-not-trusted';
    default:
      return 'validation-failure';
  }
}

export interface NameCheck {
  match: boolean;
  matchedName: string | null;
}

/**
 * Postfix name matching (tls_verify.c): DNS subjectAltNames when there are
 * any, else the Common Name; "*.example.com" matches exactly one leftmost
 * label; a reference ".example.com" (from --match) matches any subdomain.
 * IP literals are matched against IP SANs.
 */
export function matchHostname(cert: CertificateFacts, commonName: string | null, references: string[]): NameCheck {
  const names = cert.san.dns.length > 0 ? cert.san.dns : commonName ? [commonName] : [];
  for (const ref of references) {
    if (isIP(ref)) {
      if (cert.san.ip.some((ip) => normalizeIp(ip) === normalizeIp(ref))) return { match: true, matchedName: ref };
      continue;
    }
    for (const name of names) {
      if (nameMatches(name, ref)) return { match: true, matchedName: name };
    }
  }
  return { match: false, matchedName: null };
}

export function nameMatches(certName: string, reference: string): boolean {
  const name = certName.toLowerCase().replace(/\.$/, '');
  const ref = reference.toLowerCase().replace(/\.$/, '');
  if (ref.startsWith('.')) {
    // dot-nexthop style: any subdomain of ref. Postfix (tls_verify.c match_servername)
    // compares the certificate name literally, so "*.example.com" matches ".example.com".
    return name.endsWith(ref) && name.length > ref.length;
  }
  if (name === ref) return true;
  if (name.startsWith('*.')) {
    const dot = ref.indexOf('.');
    return dot > 0 && ref.slice(dot) === name.slice(1);
  }
  return false;
}



/** CN from X509Certificate.subject ("C=NL\nCN=mx.example"): the last CN, as OpenSSL picks it. */
export function commonNameOf(cert: X509Certificate): string | null {
  const cns = cert.subject.split('\n').filter((l) => l.startsWith('CN=')).map((l) => l.slice(3));
  return cns.length ? cns[cns.length - 1] : null;
}

/** Normalise a fingerprint for comparison: hex only, uppercase. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[:\s]/g, '').toUpperCase();
}

/** Does the leaf's cert or SPKI digest equal one of the expected values? (Postfix checks both.) */
export function fingerprintMatches(leaf: X509Certificate, expected: string[], algorithm: 'sha256' | 'sha1' | 'md5'): boolean {
  const wanted = new Set(expected.map(normalizeFingerprint));
  const certDigest = normalizeFingerprint(digestOf(leaf.raw, algorithm));
  const spkiDigest = normalizeFingerprint(digestOf(spkiDer(leaf), algorithm));
  return wanted.has(certDigest) || wanted.has(spkiDigest);
}

export interface VerifyInput {
  leaf: X509Certificate | undefined;
  chain: CertificateFacts[];
  authorized: boolean;
  authorizationError: string | null;
  referenceNames: string[];
  fingerprints?: string[];
  fingerprintDigest?: 'sha256' | 'sha1' | 'md5';
}

export function verifyPeer(input: VerifyInput): VerificationFacts {
  const { leaf, chain } = input;
  if (!leaf || chain.length === 0) {
    return {
      trusted: false,
      error: { reason: 'no-certificate', openssl: null },
      hostnameMatch: false,
      matchedName: null,
      checkedNames: input.referenceNames,
      fingerprintMatch: input.fingerprints?.length ? false : null,
    };
  }
  const names = matchHostname(chain[0], commonNameOf(leaf), input.referenceNames);
  const trusted = input.authorized;
  return {
    trusted,
    error: trusted ? null : { reason: trustReason(input.authorizationError ?? '', chain), openssl: input.authorizationError },
    hostnameMatch: names.match,
    matchedName: names.matchedName,
    checkedNames: input.referenceNames,
    fingerprintMatch: input.fingerprints?.length
      ? fingerprintMatches(leaf, input.fingerprints, input.fingerprintDigest ?? 'sha256')
      : null,
  };
}
