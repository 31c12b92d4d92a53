// TLS SignatureScheme code points (RFC 8446 §4.2.3; RFC 5246 §7.4.1.4.1 for the TLS 1.2
// hash/signature pairs they extend) and how openssl s_client names them: "Peer signature type"
// (RSA-PSS, RSA, ECDSA, Ed25519, Ed448, DSA) and "Peer signing digest" (SHA256 ...).
import type { PeerSignature } from '../types.js';

const NAMED: Record<number, string> = {
  0x0401: 'rsa_pkcs1_sha256', 0x0501: 'rsa_pkcs1_sha384', 0x0601: 'rsa_pkcs1_sha512', 0x0201: 'rsa_pkcs1_sha1',
  0x0403: 'ecdsa_secp256r1_sha256', 0x0503: 'ecdsa_secp384r1_sha384', 0x0603: 'ecdsa_secp521r1_sha512', 0x0203: 'ecdsa_sha1',
  0x0804: 'rsa_pss_rsae_sha256', 0x0805: 'rsa_pss_rsae_sha384', 0x0806: 'rsa_pss_rsae_sha512',
  0x0809: 'rsa_pss_pss_sha256', 0x080a: 'rsa_pss_pss_sha384', 0x080b: 'rsa_pss_pss_sha512',
  0x0807: 'ed25519', 0x0808: 'ed448',
  0x081a: 'ecdsa_brainpoolP256r1tls13_sha256', 0x081b: 'ecdsa_brainpoolP384r1tls13_sha384', 0x081c: 'ecdsa_brainpoolP512r1tls13_sha512',
};

/** TLS 1.2 HashAlgorithm (RFC 5246 §7.4.1.4.1). */
const HASHES: Record<number, string> = { 1: 'MD5', 2: 'SHA1', 3: 'SHA224', 4: 'SHA256', 5: 'SHA384', 6: 'SHA512' };
/** TLS 1.2 SignatureAlgorithm. */
const SIGNATURES: Record<number, string> = { 1: 'RSA', 2: 'DSA', 3: 'ECDSA' };

/** The signature a server made, from the SignatureScheme it put on the wire (TLS 1.2 and 1.3). */
export function peerSignatureOf(scheme: number): PeerSignature {
  const name = NAMED[scheme];
  if (name === 'ed25519' || name === 'ed448') return { scheme, name, type: name === 'ed25519' ? 'Ed25519' : 'Ed448', digest: null };
  if (name?.startsWith('rsa_pss')) return { scheme, name, type: 'RSA-PSS', digest: name.slice(-6).toUpperCase() };
  if (name?.startsWith('ecdsa_brainpool')) return { scheme, name, type: 'ECDSA', digest: name.slice(-6).toUpperCase() };
  // Everything else is a TLS 1.2 (hash, signature) pair, which the named 1.3 schemes reuse.
  const hash = HASHES[scheme >> 8];
  const sig = SIGNATURES[scheme & 0xff];
  return { scheme, name: name ?? `0x${scheme.toString(16).padStart(4, '0')}`, type: sig ?? 'unknown', digest: hash ?? null };
}

/**
 * Before TLS 1.2 the signature algorithm is fixed by the key (RFC 4346 §7.4.3): RSA signs the
 * MD5+SHA-1 concatenation, DSA and ECDSA (RFC 4492 §5.4) sign SHA-1.
 */
export function legacyPeerSignature(keyType: 'RSA' | 'DSA' | 'ECDSA'): PeerSignature {
  if (keyType === 'RSA') return { scheme: null, name: 'rsa_md5_sha1', type: 'RSA', digest: 'MD5-SHA1' };
  return { scheme: null, name: `${keyType.toLowerCase()}_sha1`, type: keyType, digest: 'SHA1' };
}
