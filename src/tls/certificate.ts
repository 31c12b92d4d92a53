import { createHash, type X509Certificate } from 'node:crypto';
import { isIP } from '../ip.js';
import type { CertificateFacts } from '../types.js';
import { signatureAlgorithmOf, subjectPublicKeyInfoOf } from './der.js';
import { MAX_CHAIN_CERTIFICATES } from '../smtp/limits.js';

/** Uppercase colon hex, as posttls-finger and `openssl x509 -fingerprint` print digests. */
export function colonHex(digest: Buffer): string {
  return digest.toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** The SPKI bytes as served (read from the DER, so a key OpenSSL cannot decode is no crash). */
export function spkiDer(cert: X509Certificate): Buffer {
  return subjectPublicKeyInfoOf(cert.raw) ?? cert.publicKey.export({ type: 'spki', format: 'der' });
}

export function digestOf(data: Buffer, algorithm: 'sha256' | 'sha1' | 'md5' = 'sha256'): string {
  return colonHex(createHash(algorithm).update(data).digest());
}

/**
 * The chain exactly as the server sent it, in its order. Node links the peer
 * certificate's `issuerCertificate` through SSL_get_peer_cert_chain (the
 * sent stack), unlike getPeerCertificate(true), which reorders the chain and
 * appends issuers from the local trust store — that would hide a missing
 * intermediate or invent a served root.
 */
export function chainAsSent(leaf: X509Certificate | undefined): { chain: X509Certificate[]; truncated: boolean } {
  const chain: X509Certificate[] = [];
  const seen = new Set<X509Certificate>();
  for (let cert = leaf; cert && !seen.has(cert); cert = cert.issuerCertificate) {
    if (chain.length === MAX_CHAIN_CERTIFICATES) return { chain, truncated: true };
    seen.add(cert);
    chain.push(cert);
  }
  return { chain, truncated: false };
}

const DAY_MS = 86_400_000;

export function certificateFacts(cert: X509Certificate, now: number, withPem: boolean): CertificateFacts {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const key = publicKeyFacts(cert);
  const facts: CertificateFacts = {
    subject: oneLineName(cert.subject),
    issuer: oneLineName(cert.issuer),
    serial: cert.serialNumber.toUpperCase(),
    san: parseSubjectAltName(cert.subjectAltName),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysRemaining: Math.floor((notAfter.getTime() - now) / DAY_MS),
    key,
    signatureAlgorithm: signatureAlgorithmOf(cert.raw),
    sha256: colonHex(createHash('sha256').update(cert.raw).digest()),
    spkiSha256: digestOf(spkiDer(cert)),
    isCA: cert.ca,
    // Not checkIssued(): a self-signed leaf without keyCertSign fails OpenSSL's issuer check.
    selfSigned: cert.subject === cert.issuer && safeVerify(cert, cert),
  };
  if (withPem) facts.pem = cert.toString();
  return facts;
}

/** Key type and size; a key Node cannot decode (a hostile chain) is reported as unknown, not thrown. */
function publicKeyFacts(cert: X509Certificate): CertificateFacts['key'] {
  try {
    const key = cert.publicKey;
    const details = key.asymmetricKeyDetails ?? {};
    return {
      // Node's KeyObject names: rsa, rsa-pss, ec, dsa, ed25519, ed448.
      type: key.asymmetricKeyType ?? 'unknown',
      // publicExponent is a BigInt (JSON.stringify throws on it): never copy it.
      bits: details.modulusLength ?? curveBits(details.namedCurve) ?? null,
      curve: details.namedCurve ?? null,
    };
  } catch {
    return { type: 'unknown', bits: null, curve: null };
  }
}

function safeVerify(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** "C=NL\nO=Example\nCN=mx" → "C=NL, O=Example, CN=mx" */
function oneLineName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function curveBits(curve: string | undefined): number | undefined {
  if (!curve) return undefined;
  const m = /(\d{3})/.exec(curve);
  return m ? Number(m[1]) : undefined;
}

/** Canonical text of an IP: Node prints IPv6 SANs uncompressed and in capitals (2001:DB8:0:0:0:0:0:1). */
export function normalizeIp(ip: string): string {
  const bare = ip.replace(/^\[|\]$/g, '');
  if (isIP(bare) !== 6) return bare;
  return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
}

/**
 * Node's subjectAltName string: 'DNS:a.example, IP Address:127.0.0.1'. Values
 * with commas are JSON-quoted by Node (CVE-2021-44532 fix), so parse quotes.
 */
export function parseSubjectAltName(san: string | undefined): { dns: string[]; ip: string[] } {
  const out = { dns: [] as string[], ip: [] as string[] };
  if (!san) return out;
  const re = /(DNS|IP Address|[A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (let m = re.exec(san); m; m = re.exec(san)) {
    if (m[0] === '') break;
    const value = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
    if (m[1] === 'DNS') out.dns.push(value);
    else if (m[1] === 'IP Address') out.ip.push(normalizeIp(value));
  }
  return out;
}
