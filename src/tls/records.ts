// The server's side of a TLS handshake as bytes: records (RFC 8446 §5.1, RFC 5246 §6.2),
// handshake messages reassembled across records, and the fields mxprobe reads from ServerHello
// and ServerKeyExchange. Pure: bytes in, facts out; a truncated or malformed message is null,
// never an exception.

export const CONTENT = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23, heartbeat: 24 } as const;
export const HANDSHAKE = {
  serverHello: 2, newSessionTicket: 4, encryptedExtensions: 8, certificate: 11, serverKeyExchange: 12,
  certificateRequest: 13, serverHelloDone: 14, certificateVerify: 15, finished: 20, certificateStatus: 22,
} as const;

/** A record is at most 2^14 bytes of plaintext plus 2048 of expansion (RFC 5246 §6.2.3). */
export const MAX_RECORD_BODY = 16384 + 2048;

export interface TlsRecord {
  type: number;
  version: number;
  /** The 5-byte header (the AEAD additional data of TLS 1.3). */
  header: Buffer;
  body: Buffer;
}

/** Complete records at the front of `buf`, and the bytes after them; `oversized` when a header announces more than a record may hold. */
export function splitRecords(buf: Buffer): { records: TlsRecord[]; rest: Buffer; oversized: boolean } {
  const records: TlsRecord[] = [];
  let i = 0;
  while (buf.length - i >= 5) {
    const length = buf.readUInt16BE(i + 3);
    if (length > MAX_RECORD_BODY) return { records, rest: buf.subarray(i), oversized: true };
    if (buf.length - i < 5 + length) break;
    records.push({ type: buf[i], version: buf.readUInt16BE(i + 1), header: buf.subarray(i, i + 5), body: buf.subarray(i + 5, i + 5 + length) });
    i += 5 + length;
  }
  return { records, rest: buf.subarray(i), oversized: false };
}

export interface HandshakeMessage {
  type: number;
  body: Buffer;
}

/** Handshake messages from handshake-record payloads: one message may span records, one record may hold several. */
export class HandshakeReassembler {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessage = 1 << 16) {}

  /** Messages completed by this fragment; throws RangeError when one announces more than maxMessage bytes. */
  push(fragment: Buffer): HandshakeMessage[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, fragment]) : fragment;
    const out: HandshakeMessage[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readUIntBE(1, 3);
      if (length > this.maxMessage) throw new RangeError(`handshake message of ${length} bytes`);
      if (this.pending.length < 4 + length) break;
      out.push({ type: this.pending[0], body: this.pending.subarray(4, 4 + length) });
      this.pending = this.pending.subarray(4 + length);
    }
    return out;
  }
}

/** RFC 8446 §4.1.3: the ServerHello random that marks a HelloRetryRequest. */
const HRR_RANDOM = Buffer.from('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C', 'hex');

export interface ServerHello {
  /** The negotiated version: supported_versions (TLS 1.3) or legacy_version. */
  version: number;
  random: Buffer;
  helloRetry: boolean;
  cipher: number;
  compression: number;
  /** Extension types in the order sent, and their data. */
  extensions: Map<number, Buffer>;
  /** key_share's group (TLS 1.3 ServerHello and HelloRetryRequest). */
  selectedGroup: number | null;
}

export function parseServerHello(body: Buffer): ServerHello | null {
  try {
    let i = 0;
    let version = body.readUInt16BE(i);
    i += 2;
    const random = body.subarray(i, i + 32);
    i += 32;
    i += 1 + body[i];
    const cipher = body.readUInt16BE(i);
    i += 2;
    const compression = body[i];
    i += 1;
    if (compression === undefined || random.length < 32) return null;
    const extensions = new Map<number, Buffer>();
    let selectedGroup: number | null = null;
    if (i + 2 <= body.length) {
      const end = Math.min(body.length, i + 2 + body.readUInt16BE(i));
      for (i += 2; i + 4 <= end; ) {
        const type = body.readUInt16BE(i);
        const data = body.subarray(i + 4, i + 4 + body.readUInt16BE(i + 2));
        extensions.set(type, data);
        // RFC 8446 §4.2.1 / §4.2.8: the real version, and the group of the key share (or the one asked for).
        if (type === 0x002b && data.length === 2) version = data.readUInt16BE(0);
        if (type === 0x0033 && data.length >= 2) selectedGroup = data.readUInt16BE(0);
        i += 4 + data.length;
      }
    }
    return { version, random, helloRetry: random.equals(HRR_RANDOM), cipher, compression, extensions, selectedGroup };
  } catch {
    return null;
  }
}

export interface ServerKeyExchange {
  /** ECDHE named curve (RFC 8422 §5.4), null for DHE. */
  curve: number | null;
  /** Size of the DHE prime p in bits, null for ECDHE. */
  dhBits: number | null;
  /** TLS 1.2 SignatureAndHashAlgorithm; null before 1.2 and for anonymous suites (no signature). */
  signatureScheme: number | null;
}

/** Bits of a big-endian unsigned integer, leading zero bytes ignored. */
function bitLength(n: Buffer): number {
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i]));
}

/**
 * RFC 8422 §5.4 (ECDHE: curve_type 3, named_curve, point) and RFC 5246 §7.4.3 (DHE: p, g, Ys),
 * then, when signed and at TLS 1.2, the SignatureAndHashAlgorithm in front of the signature.
 */
export function parseServerKeyExchange(body: Buffer, kx: 'ECDH' | 'DH', o: { signed: boolean; tls12: boolean }): ServerKeyExchange | null {
  try {
    let i = 0;
    let curve: number | null = null;
    let dhBits: number | null = null;
    if (kx === 'ECDH') {
      if (body[0] !== 3) return null;
      curve = body.readUInt16BE(1);
      i = 3;
      i += 1 + body[i];
    } else {
      const pLen = body.readUInt16BE(0);
      dhBits = bitLength(body.subarray(2, 2 + pLen));
      i = 2 + pLen;
      i += 2 + body.readUInt16BE(i);
      i += 2 + body.readUInt16BE(i);
    }
    if (i > body.length) return null;
    const signatureScheme = o.signed && o.tls12 && i + 2 <= body.length ? body.readUInt16BE(i) : null;
    return { curve, dhBits, signatureScheme };
  } catch {
    return null;
  }
}

/** RFC 8446 §4.4.3: CertificateVerify starts with the SignatureScheme. */
export function certificateVerifyScheme(body: Buffer): number | null {
  return body.length >= 2 ? body.readUInt16BE(0) : null;
}
