// Weak signatures and keys in the chain a server sent, judged the way Postfix on OpenSSL 3 would.
// mxprobe handshakes at OpenSSL security level 0, as Postfix's client context does
// (postfix/src/tls/tls_client.c tls_client_init()), so weak certificates never fail the handshake
// and the facts do not depend on --protocols. But Postfix raises the connection to security level
// 1 at every level that must match the peer (tls_client_start(): TLS_MUST_MATCH, i.e. fingerprint,
// dane, dane-only, verify, secure), and OpenSSL 3's level 1 refuses:
//   - SHA-1 and MD5 certificate signatures (under 80 bits: "CA signature digest algorithm too
//     weak") wherever the chain is verified: verify, secure, a DANE-TA match. Not with a
//     fingerprint or DANE-EE match, which bypasses chain building (posttls-finger 3.7.11 agrees:
//     "Verified" at fingerprint, "Untrusted ... too weak" at verify and secure);
//   - RSA/DSA keys under 1024 bits and EC keys under 160 ("EE certificate key too weak"), for the
//     leaf at every must-match level, for CA certificates where the chain is verified.
// Those are CRITICAL there: Postfix would not deliver. Everywhere else (may, encrypt, fingerprint
// for signatures) they are WARNINGs, never info: the server works for opportunistic senders, but
// senders that verify (Postfix at verify and above, MTA-STS enforce) refuse it, and SHA-1 chains
// are forgeable (chosen-prefix collisions, Leurent & Peyrin 2020). RSA 1024-2047 and EC under 224
// bits give under 112 bits of security (NIST SP 800-57 Part 1 §5.6.1, SP 800-131A: disallowed for
// signatures since 2014; CA/Browser Forum Baseline Requirements §6.1.5): a WARNING at every level.
import type { CertificateFacts, Finding, Level } from '../types.js';

/** How a DANE level authenticated the chain, when it did (DaneFacts.matchedBy). */
export type DaneMatch = 'dane-ee' | 'dane-ta' | null | undefined;

const MUST_MATCH: ReadonlySet<Level> = new Set(['fingerprint', 'dane', 'dane-only', 'verify', 'secure']);

/** Does Postfix verify the chain (signatures, CA keys) at this level? */
function chainVerified(level: Level, dane: DaneMatch): boolean {
  if (level === 'verify' || level === 'secure') return true;
  return (level === 'dane' || level === 'dane-only') && dane === 'dane-ta';
}

const WEAK_DIGEST = /md2|md4|md5|sha1(?!\d)/i;

/** Bits of a key as OpenSSL's security levels count them; null when not RSA, DSA or EC. */
function keyStrength(key: CertificateFacts['key']): { bits: number; level1Min: number; goodMin: number } | null {
  if (key.bits === null) return null;
  if (key.type === 'rsa' || key.type === 'rsa-pss' || key.type === 'dsa') return { bits: key.bits, level1Min: 1024, goodMin: 2048 };
  if (key.type === 'ec') return { bits: key.bits, level1Min: 160, goodMin: 224 };
  return null;
}

const describe = (c: CertificateFacts, i: number) => `certificate ${i + 1} (${c.subject || 'no subject'}${i === 0 ? ', leaf' : ''})`;

/** Findings for weak signatures and keys of the served chain, at the level Postfix would apply. */
export function certificateStrengthFindings(certs: CertificateFacts[], level: Level, dane?: DaneMatch): Finding[] {
  const out: Finding[] = [];
  if (level === 'none') return out;
  const mustMatch = MUST_MATCH.has(level);
  const verified = chainVerified(level, dane);
  certs.forEach((c, i) => {
    // The self-signature of a root (or of a self-signed leaf) authenticates nothing: OpenSSL
    // does not check its digest, and neither do we.
    const sig = c.signatureAlgorithm ?? '';
    if (!c.selfSigned && WEAK_DIGEST.test(sig)) {
      out.push(verified
        ? { severity: 'critical', code: 'weak-signature', message: `${describe(c, i)} is signed with ${sig}: Postfix at level ${level} with OpenSSL 3 refuses the chain (security level 1, tls_client.c): CA signature digest algorithm too weak` }
        : { severity: 'warning', code: 'weak-signature', message: `${describe(c, i)} is signed with ${sig}, a forgeable digest: senders that verify the chain (Postfix at verify and above with OpenSSL 3, MTA-STS) refuse it` });
    }
    const k = keyStrength(c.key);
    if (!k || k.bits >= k.goodMin) return;
    const what = `${describe(c, i)} has a ${c.key.type.toUpperCase()} ${k.bits}-bit key`;
    if (k.bits < k.level1Min && mustMatch && (i === 0 || verified)) {
      out.push({ severity: 'critical', code: 'weak-key', message: `${what}: Postfix at level ${level} with OpenSSL 3 refuses it (security level 1 needs ${k.level1Min} bits, tls_client.c): ${i === 0 ? 'EE' : 'CA'} certificate key too weak` });
    } else {
      out.push({ severity: 'warning', code: 'weak-key', message: `${what}, under 112-bit security (NIST SP 800-131A; at least ${k.goodMin} bits)` });
    }
  });
  return out;
}

/** Would Postfix's OpenSSL, at security level 1, refuse this chain at this level (tls_client_start())? */
export function refusedAtSecurityLevel1(certs: CertificateFacts[], level: Level, dane?: DaneMatch): boolean {
  return certificateStrengthFindings(certs, level, dane).some((f) => f.severity === 'critical');
}
