// Certificate rollover with DANE (RFC 7671 §8.1 "current + next"): before the
// server switches to the next certificate, a published record must already match
// it, or senders that use DANE defer mail from the moment of the switch until
// the new TLSA record has replaced the old one in every cache (TTL).
import type { X509Certificate } from 'node:crypto';
import { digestOf, spkiDer } from '../tls/certificate.js';
import { associationData, recordMatches, tlsaText, unusableReason, type TlsaRecord } from './tlsa.js';

export interface RolloverCheck {
  sha256: string;
  spkiSha256: string;
  /** Per input record: does it match the next certificate (or its chain)? */
  matches: boolean[];
  ready: boolean;
  add: string[];
}

/**
 * `next`: the next certificate, optionally followed by its chain (as in a server's
 * chain file). `current`: the chain served today, for a DANE-TA record that
 * matches today's issuer, which may sign the next leaf too.
 */
export function checkNextCertificate(records: TlsaRecord[], next: X509Certificate[], current: X509Certificate[]): RolloverCheck {
  const leaf = next[0];
  const issuers = [...next.slice(1), ...current.slice(1)];
  const matches = records.map((r) => {
    if (unusableReason(r) !== null) return false;
    if (r.usage === 3) return recordMatches(r, leaf);
    // DANE-TA: an anchor that matches the record and issued the next leaf (directly or via next's chain).
    return issuers.some((c) => recordMatches(r, c) && (leaf.checkIssued(c) ? verifies(leaf, c) : next.slice(1).includes(c)));
  });
  const ready = matches.some(Boolean);
  const add: string[] = [];
  if (!ready) {
    // Postfix's TLS_README recommends "3 1 1": it survives re-issuing with the same key.
    add.push(tlsaText({ usage: 3, selector: 1, matchingType: 1, data: associationData(leaf, 1, 1) }));
    const issuer = next[1];
    if (issuer && records.some((r) => r.usage === 2)) add.push(tlsaText({ usage: 2, selector: 1, matchingType: 1, data: associationData(issuer, 1, 1) }));
  }
  return { sha256: digestOf(leaf.raw), spkiSha256: digestOf(spkiDer(leaf)), matches, ready, add };
}

function verifies(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
