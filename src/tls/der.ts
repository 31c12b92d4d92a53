// A tiny DER reader for the one X.509 field Node 20's X509Certificate lacks:
// the signature algorithm (RFC 5280 §4.1.1.2). Bounds-checked; returns null on
// anything unexpected instead of throwing.

/** offset: where the TLV begins; start/end: its value; next: the following TLV. */
interface Tlv { tag: number; offset: number; start: number; end: number; next: number }

function readTlv(der: Buffer, offset: number): Tlv | null {
  if (offset + 2 > der.length) return null;
  const tag = der[offset];
  let len = der[offset + 1];
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  const end = start + len;
  if (end > der.length) return null;
  return { tag, offset, start, end, next: end };
}

function decodeOid(bytes: Buffer): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.3': 'md4WithRSAEncryption',
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.3.14.3.2.29': 'sha1WithRSA',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** Certificate ::= SEQUENCE { tbsCertificate, ... }: the tbsCertificate TLV, or null. */
function tbsCertificateOf(der: Buffer): ReturnType<typeof readTlv> {
  const cert = readTlv(der, 0);
  if (!cert || cert.tag !== 0x30) return null;
  const tbs = readTlv(der, cert.start);
  return tbs && tbs.tag === 0x30 ? tbs : null;
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature } */
export function signatureAlgorithmOf(der: Buffer): string | null {
  const tbs = tbsCertificateOf(der);
  if (!tbs) return null;
  const algId = readTlv(der, tbs.next);
  if (!algId || algId.tag !== 0x30) return null;
  const oid = readTlv(der, algId.start);
  if (!oid || oid.tag !== 0x06) return null;
  const dotted = decodeOid(der.subarray(oid.start, oid.end));
  return SIGNATURE_ALGORITHMS[dotted] ?? dotted;
}

/**
 * The SubjectPublicKeyInfo DER of a certificate, taken from the bytes (RFC 5280
 * §4.1: tbsCertificate = [0] version?, serial, signature, issuer, validity,
 * subject, subjectPublicKeyInfo, ...). Works for keys OpenSSL cannot decode,
 * which a hostile chain may carry.
 */
export function subjectPublicKeyInfoOf(der: Buffer): Buffer | null {
  const tbs = tbsCertificateOf(der);
  if (!tbs) return null;
  let field = readTlv(der, tbs.start);
  if (field && field.tag === 0xa0) field = readTlv(der, field.next); // explicit version
  for (let i = 0; i < 5 && field; i++) field = readTlv(der, field.next); // serial .. subject
  if (!field || field.tag !== 0x30 || field.end > tbs.end) return null;
  return der.subarray(field.offset, field.end);
}

const COMMON_NAME = '2.5.4.3';

/** A DirectoryString's text (RFC 5280 §4.1.2.4), as OpenSSL's ASN1_STRING_to_UTF8 gives it; null when not a string. */
function directoryString(der: Buffer, t: Tlv): string | null {
  const bytes = der.subarray(t.start, t.end);
  switch (t.tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
      return bytes.toString('utf8');
    case 0x14: // TeletexString: OpenSSL reads it as Latin-1
      return bytes.toString('latin1');
    case 0x1e: { // BMPString: UTF-16BE
      if (bytes.length % 2) return null;
      const swapped = Buffer.from(bytes);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case 0x1c: { // UniversalString: UTF-32BE
      if (bytes.length % 4) return null;
      const cps: number[] = [];
      for (let i = 0; i < bytes.length; i += 4) cps.push(bytes.readUInt32BE(i));
      try {
        return String.fromCodePoint(...cps);
      } catch {
        return null;
      }
    }
    default:
      return null;
  }
}

/**
 * Every commonName of the subject, in order, read from the DER (RFC 5280 §4.1.2.6: Name is a
 * SEQUENCE of RDN SETs of AttributeTypeAndValue). OpenSSL's host check tries each of them when
 * there is no DNS subjectAltName (X509_check_host, crypto/x509/v3_utl.c do_x509_check), where
 * X509Certificate.subject only gives a printed, escaped form. null when the DER is not readable.
 */
export function subjectCommonNamesOf(der: Buffer): string[] | null {
  const tbs = tbsCertificateOf(der);
  if (!tbs) return null;
  let field = readTlv(der, tbs.start);
  if (field && field.tag === 0xa0) field = readTlv(der, field.next); // explicit version
  for (let i = 0; i < 4 && field; i++) field = readTlv(der, field.next); // serial, signature, issuer, validity
  if (!field || field.tag !== 0x30 || field.end > tbs.end) return null;
  const names: string[] = [];
  for (let rdn = field.start < field.end ? readTlv(der, field.start) : null; rdn && rdn.offset < field.end; rdn = rdn.next < field.end ? readTlv(der, rdn.next) : null) {
    if (rdn.tag !== 0x31 || rdn.end > field.end) return null;
    for (let atv = rdn.start < rdn.end ? readTlv(der, rdn.start) : null; atv && atv.offset < rdn.end; atv = atv.next < rdn.end ? readTlv(der, atv.next) : null) {
      if (atv.tag !== 0x30 || atv.end > rdn.end) return null;
      const oid = readTlv(der, atv.start);
      if (!oid || oid.tag !== 0x06) return null;
      if (decodeOid(der.subarray(oid.start, oid.end)) !== COMMON_NAME) continue;
      const value = readTlv(der, oid.next);
      if (!value || value.end > atv.end) return null;
      const text = directoryString(der, value);
      if (text !== null) names.push(text);
    }
  }
  return names;
}
