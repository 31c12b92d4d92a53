import { isIP } from './ip.js';
import type { X509Certificate } from 'node:crypto';
import type { CertificateFacts, VerificationFacts, VerifyReason } from './types.js';
import { domainToASCII } from 'node:url';
import { digestOf, normalizeIp, spkiDer } from './tls/certificate.js';
import { subjectCommonNamesOf } from './tls/der.js';

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
 * Postfix 3.x name matching: it hands the reference names to OpenSSL's host check
 * (postfix/src/tls/tls_client.c add_namechecks(): SSL_add1_host with
 * X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS), which tries the DNS subjectAltNames when there are
 * any, else every subject commonName (crypto/x509/v3_utl.c do_x509_check). A reference
 * ".example.com" (from --match, dot-nexthop) matches any subdomain. Reference names in
 * U-labels are converted to A-labels first, as Postfix does (midna_domain_to_ascii).
 * IP literals are matched against IP SANs.
 */
export function matchHostname(cert: CertificateFacts, commonNames: string | readonly string[] | null, references: string[]): NameCheck {
  const cns = commonNames === null ? [] : typeof commonNames === 'string' ? [commonNames] : commonNames;
  const names = cert.san.dns.length > 0 ? cert.san.dns : cns;
  for (const ref of references) {
    if (isIP(ref)) {
      if (cert.san.ip.some((ip) => normalizeIp(ip) === normalizeIp(ref))) return { match: true, matchedName: ref };
      continue;
    }
    const ascii = aLabelName(ref);
    for (const name of names) {
      if (nameMatches(name, ascii)) return { match: true, matchedName: name };
    }
  }
  return { match: false, matchedName: null };
}

// OpenSSL compares names with ASCII case folding only (v3_utl.c equal_nocase).
const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (c) => c.toLowerCase());
const stripDot = (s: string) => (s.length > 1 && s.endsWith('.') ? s.slice(0, -1) : s);

/** One certificate name against one reference name, by X509_check_host's rules (see matchHostname). */
export function nameMatches(certName: string, reference: string): boolean {
  const name = asciiLower(stripDot(certName));
  const ref = asciiLower(stripDot(reference));
  if (name.includes('\0') || ref === '') return false;
  if (ref.length > 1 && ref.startsWith('.')) {
    // Sub-domain reference (v3_utl.c skip_prefix): the certificate name, wildcard or not,
    // taken literally, ends with ".example.com" and is longer — "*.example.com" matches.
    return name.length > ref.length && name.endsWith(ref);
  }
  const star = wildcardLabel(name);
  if (!star) return name === ref;
  // The '*' is the whole first label and matches exactly one label of at least one
  // character (v3_utl.c wildcard_match): letters, digits and hyphens only.
  const suffix = name.slice(1);
  if (ref.length <= suffix.length || !ref.endsWith(suffix)) return false;
  const label = ref.slice(0, ref.length - suffix.length);
  return label === '*' || /^[a-z0-9-]+$/.test(label);
}

/**
 * Is this certificate name a wildcard OpenSSL accepts (v3_utl.c valid_star with
 * X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS)? "*" as the whole first label and at least two dots
 * after it ("*.local" is not a wildcard and only matches itself), then labels of letters, digits
 * and inner hyphens. Anything else is compared literally.
 */
function wildcardLabel(name: string): boolean {
  if (!name.startsWith('*.')) return false;
  const labels = name.slice(2).split('.');
  if (labels.length < 2) return false;
  return labels.every((l) => /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(l));
}

/**
 * A reference name in A-labels (UTS #46 ToASCII, node:url domainToASCII), as Postfix converts
 * match names and the SNI name (tls_client.c: midna_domain_to_ascii when !allascii). A leading
 * "." stays (a sub-domain reference); so does a name that cannot be converted (Postfix then
 * uses it as it is, and it matches nothing: DNS subjectAltNames are ASCII). Postfix also takes a
 * leading ideographic full stop (U+3002, U+FF0E, U+FF61) as the sub-domain dot.
 */
export function aLabelName(name: string): string {
  if (/^[\x00-\x7f]*$/.test(name)) return name;
  const sub = /^[.\u3002\uff0e\uff61](?=.)/.exec(name);
  const bare = sub ? name.slice(1) : name;
  const ascii = domainToASCII(bare);
  return `${sub ? '.' : ''}${ascii || bare}`;
}

/** CN from X509Certificate.subject ("C=NL\nCN=mx.example"): the last CN, for display. */
export function commonNameOf(cert: X509Certificate): string | null {
  const cns = cert.subject.split('\n').filter((l) => l.startsWith('CN=')).map((l) => l.slice(3));
  return cns.length ? cns[cns.length - 1] : null;
}

/** Every subject commonName, in order, as OpenSSL's host check reads them (from the DER). */
export function commonNamesOf(cert: X509Certificate): string[] {
  return subjectCommonNamesOf(cert.raw) ?? [];
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
  const names = matchHostname(chain[0], commonNamesOf(leaf), input.referenceNames);
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
