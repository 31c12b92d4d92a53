// TLSA records (RFC 6698 §2): presentation form, association data of a certificate,
// and which records Postfix can use (RFC 7672 §3.1: DANE-TA(2) and DANE-EE(3) only).
import { createHash, type X509Certificate } from 'node:crypto';
import type { TlsaRecordFacts } from '../types.js';
import { spkiDer } from '../tls/certificate.js';

export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  /** Association data. */
  data: Buffer;
}

export const USAGE_NAMES: Record<number, string> = { 0: 'PKIX-TA', 1: 'PKIX-EE', 2: 'DANE-TA', 3: 'DANE-EE' };
const DIGEST_LENGTH: Record<number, number> = { 1: 32, 2: 64 };

export function tlsaText(r: TlsaRecord): string {
  return `${r.usage} ${r.selector} ${r.matchingType} ${r.data.toString('hex')}`;
}

/** "3 1 1 ab12 cd34" (hex may be split by blanks, as in zone files) → a record; null when malformed. */
export function parseTlsaText(text: string): TlsaRecord | null {
  const m = /^\s*(\d{1,3})\s+(\d{1,3})\s+(\d{1,3})\s+([0-9a-fA-F\s]+)$/.exec(text);
  if (!m) return null;
  const hex = m[4].replace(/\s+/g, '');
  if (hex.length === 0 || hex.length % 2) return null;
  const [usage, selector, matchingType] = [m[1], m[2], m[3]].map(Number);
  if (usage > 255 || selector > 255 || matchingType > 255) return null;
  return { usage, selector, matchingType, data: Buffer.from(hex, 'hex') };
}

/** Why Postfix would not use this record, or null when it would (tls_dane.c tlsa_supported). */
export function unusableReason(r: TlsaRecord): string | null {
  if (r.usage === 0 || r.usage === 1) return `usage ${r.usage} (${USAGE_NAMES[r.usage]}) is not used for SMTP (RFC 7672 §3.1.3)`;
  if (r.usage !== 2 && r.usage !== 3) return `unknown usage ${r.usage}`;
  if (r.selector !== 0 && r.selector !== 1) return `unknown selector ${r.selector}`;
  if (r.matchingType !== 0 && r.matchingType !== 1 && r.matchingType !== 2) return `unknown matching type ${r.matchingType}`;
  const want = DIGEST_LENGTH[r.matchingType];
  if (want && r.data.length !== want) return `digest is ${r.data.length} bytes, matching type ${r.matchingType} needs ${want}`;
  if (r.data.length === 0) return 'empty association data';
  return null;
}

/** What the record's selector picks from a certificate: the whole DER or the SPKI DER. */
export function selected(cert: X509Certificate, selector: number): Buffer {
  return selector === 0 ? cert.raw : spkiDer(cert);
}

/** Association data of `cert` for selector/matching type (RFC 6698 §2.1.2, §2.1.3). */
export function associationData(cert: X509Certificate, selector: number, matchingType: number): Buffer {
  const data = selected(cert, selector);
  if (matchingType === 1) return createHash('sha256').update(data).digest();
  if (matchingType === 2) return createHash('sha512').update(data).digest();
  return data;
}

export function recordMatches(r: TlsaRecord, cert: X509Certificate): boolean {
  return associationData(cert, r.selector, r.matchingType).equals(r.data);
}

/** Facts for the result, before matching. */
export function recordFacts(r: TlsaRecord): TlsaRecordFacts {
  const why = unusableReason(r);
  return {
    usage: r.usage,
    selector: r.selector,
    matchingType: r.matchingType,
    data: r.data.toString('hex'),
    text: tlsaText(r),
    usable: why === null,
    ...(why !== null && { unusableReason: why }),
    match: null,
  };
}
