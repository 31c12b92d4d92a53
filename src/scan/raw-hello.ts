// Hand-built ClientHellos: what the scan offers without a TLS library, so nothing is computed
// on either side beyond what the question needs. Cipher and group picks are ClientHellos whose
// answer (ServerHello, HelloRetryRequest, alert) is the result; SSLv2/SSLv3, which OpenSSL 3 can
// no longer send; TLS_FALLBACK_SCSV; the heartbeat extension. Pure functions: bytes out.
import { randomBytes } from 'node:crypto';

/** Legacy suites an SSLv3 server may pick (OpenSSL 3 has none of the RC4/DES/EXPORT ones). */
export const SSL3_CIPHERS: ReadonlyArray<readonly [id: number, name: string, encryption: string, kx: string, au: string]> = [
  [0x0035, 'AES256-SHA', 'AES(256)', 'RSA', 'RSA'], [0x002f, 'AES128-SHA', 'AES(128)', 'RSA', 'RSA'],
  [0x0039, 'DHE-RSA-AES256-SHA', 'AES(256)', 'DH', 'RSA'], [0x0033, 'DHE-RSA-AES128-SHA', 'AES(128)', 'DH', 'RSA'],
  [0x0084, 'CAMELLIA256-SHA', 'Camellia(256)', 'RSA', 'RSA'], [0x0041, 'CAMELLIA128-SHA', 'Camellia(128)', 'RSA', 'RSA'],
  [0x0096, 'SEED-SHA', 'SEED(128)', 'RSA', 'RSA'], [0x0007, 'IDEA-CBC-SHA', 'IDEA(128)', 'RSA', 'RSA'],
  [0x000a, 'DES-CBC3-SHA', '3DES(168)', 'RSA', 'RSA'], [0x0016, 'EDH-RSA-DES-CBC3-SHA', '3DES(168)', 'DH', 'RSA'],
  [0x0005, 'RC4-SHA', 'RC4(128)', 'RSA', 'RSA'], [0x0004, 'RC4-MD5', 'RC4(128)', 'RSA', 'RSA'],
  [0x0009, 'DES-CBC-SHA', 'DES(56)', 'RSA', 'RSA'], [0x0015, 'EDH-RSA-DES-CBC-SHA', 'DES(56)', 'DH', 'RSA'],
  [0x0003, 'EXP-RC4-MD5', 'RC4(40)', 'RSA(512)', 'RSA'], [0x0008, 'EXP-DES-CBC-SHA', 'DES(40)', 'RSA(512)', 'RSA'],
  [0x0006, 'EXP-RC2-CBC-MD5', 'RC2(40)', 'RSA(512)', 'RSA'],
  [0x003a, 'ADH-AES256-SHA', 'AES(256)', 'DH', 'None'], [0x0034, 'ADH-AES128-SHA', 'AES(128)', 'DH', 'None'],
  [0x001b, 'ADH-DES-CBC3-SHA', '3DES(168)', 'DH', 'None'], [0x0018, 'ADH-RC4-MD5', 'RC4(128)', 'DH', 'None'],
  [0x0002, 'NULL-SHA', 'None', 'RSA', 'RSA'], [0x0001, 'NULL-MD5', 'None', 'RSA', 'RSA'],
];

export const VERSION = { SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 } as const;

/** IANA named-group ids (RFC 8446 §4.2.7, RFC 7919, draft-ietf-tls-ecdhe-mlkem). */
export const GROUP_IDS: Record<string, number> = {
  X25519: 0x001d, X448: 0x001e, 'P-256': 0x0017, 'P-384': 0x0018, 'P-521': 0x0019,
  ffdhe2048: 0x0100, ffdhe3072: 0x0101, ffdhe4096: 0x0102, ffdhe6144: 0x0103, ffdhe8192: 0x0104,
  SecP256r1MLKEM768: 0x11eb, X25519MLKEM768: 0x11ec, SecP384r1MLKEM1024: 0x11ed,
};
export const GROUP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(GROUP_IDS).map(([n, id]) => [id, n]));

/** What OpenSSL 3.0's client lists in supported_groups: the curves (TLS <= 1.2), plus FFDHE at 1.3. */
export const EC_GROUPS = [0x001d, 0x0017, 0x001e, 0x0019, 0x0018];
export const TLS13_GROUPS = [...EC_GROUPS, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104];

/** signature_algorithms as OpenSSL 3.0's client sends them (ECDSA, EdDSA, RSA-PSS, RSA PKCS#1, then SHA-224/SHA-1). */
const SIGALGS = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081a, 0x081b, 0x081c, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
  0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202,
];

/** RFC 7507: the SCSV a client adds when it retries with a lower version than it supports. */
export const TLS_FALLBACK_SCSV = 0x5600;

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const vec8 = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const list16 = (xs: readonly number[]) => vec16(Buffer.concat(xs.map(u16)));

export function suiteId(id: string): number {
  return parseInt(id.replace(/0x|,/g, ''), 16);
}

function record(version: number, handshakeBody: Buffer): Buffer {
  const handshake = Buffer.concat([Buffer.from([0x01]), u24(handshakeBody.length), handshakeBody]);
  return Buffer.concat([Buffer.from([0x16]), u16(version), u16(handshake.length), handshake]);
}

function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(data)]);
}

function sniExtension(servername: string | null): Buffer[] {
  if (!servername) return [];
  return [extension(0x0000, vec16(Buffer.concat([Buffer.from([0x00]), vec16(Buffer.from(servername, 'ascii'))])))];
}

export interface HelloSpec {
  /** TLSv1.3 is offered the RFC 8446 way: legacy_version 1.2 and supported_versions. */
  version: (typeof VERSION)[keyof typeof VERSION];
  suites: readonly number[];
  servername: string | null;
  /** supported_groups (default: EC_GROUPS, or TLS13_GROUPS at 1.3). */
  groups?: readonly number[];
  /** Compression methods (default: null only). */
  compression?: readonly number[];
  /** RFC 6520 heartbeat extension, peer_allowed_to_send. */
  heartbeat?: boolean;
}

/**
 * A ClientHello like OpenSSL 3.0's at that version: SNI, renegotiation_info (RFC 5746),
 * supported_groups and ec_point_formats, session_ticket, encrypt_then_mac,
 * extended_master_secret, and from TLS 1.2 on signature_algorithms. At TLS 1.3 the key_share
 * is empty (RFC 8446 §4.2.8): a server that accepts answers with a HelloRetryRequest naming its
 * cipher and group, and nobody computes a key.
 */
export function clientHello(spec: HelloSpec): Buffer {
  const tls13 = spec.version === VERSION['TLSv1.3'];
  const groups = spec.groups ?? (tls13 ? TLS13_GROUPS : EC_GROUPS);
  const exts = [
    ...sniExtension(spec.servername),
    ...(tls13 ? [] : [extension(0xff01, Buffer.from([0x00]))]),
    extension(0x000b, vec8(Buffer.from([0x00]))),
    extension(0x000a, list16(groups)),
    extension(0x0023, Buffer.alloc(0)),
    extension(0x0016, Buffer.alloc(0)),
    extension(0x0017, Buffer.alloc(0)),
    ...(spec.version >= VERSION['TLSv1.2'] ? [extension(0x000d, list16(SIGALGS))] : []),
    ...(spec.heartbeat ? [extension(0x000f, Buffer.from([0x01]))] : []),
    ...(tls13 ? [extension(0x002b, vec8(u16(0x0304))), extension(0x002d, vec8(Buffer.from([0x01]))), extension(0x0033, vec16(Buffer.alloc(0)))] : []),
  ];
  const legacy = tls13 ? VERSION['TLSv1.2'] : spec.version;
  // TLS 1.3 middlebox compatibility (RFC 8446 §D.4): a 32-byte legacy_session_id.
  const sessionId = tls13 ? randomBytes(32) : Buffer.alloc(0);
  const body = Buffer.concat([
    u16(legacy), randomBytes(32), vec8(sessionId), list16(spec.suites), vec8(Buffer.from(spec.compression ?? [0x00])), vec16(Buffer.concat(exts)),
  ]);
  // Record version 1.0 for the first flight, as OpenSSL sends it (RFC 8446 §5.1).
  return record(spec.version === VERSION.SSLv3 ? VERSION.SSLv3 : VERSION.TLSv1, body);
}

/** SSLv3 ClientHello (RFC 6101 §5.6.1.2): no extensions, null compression. */
export function sslv3ClientHello(cipherIds: readonly number[] = SSL3_CIPHERS.map((c) => c[0])): Buffer {
  const body = Buffer.concat([u16(0x0300), randomBytes(32), vec8(Buffer.alloc(0)), list16(cipherIds), vec8(Buffer.from([0x00]))]);
  return record(0x0300, body);
}

/** SSLv2 CLIENT-HELLO: 2-byte header, msg type 1, version 0x0002, the seven SSLv2 cipher kinds. */
export function sslv2ClientHello(): Buffer {
  const specs = Buffer.from([0x01, 0x00, 0x80, 0x02, 0x00, 0x80, 0x03, 0x00, 0x80, 0x04, 0x00, 0x80, 0x05, 0x00, 0x80, 0x06, 0x00, 0x40, 0x07, 0x00, 0xc0]);
  const challenge = randomBytes(16);
  const body = Buffer.concat([Buffer.from([0x01]), u16(0x0002), u16(specs.length), u16(0), u16(challenge.length), specs, challenge]);
  return Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
}

/** SSLv2 SERVER-HELLO (type 4): version and cipher specs; null when the bytes are not one. */
export function parseSslv2ServerHello(buf: Buffer): { version: number; cipherSpecs: number[] } | null {
  // Header (2), type 4, session-id-hit, cert type, version, cert len, specs len, conn-id len.
  if (buf.length < 13 || !(buf[0] & 0x80) || buf[2] !== 0x04) return null;
  const certLen = buf.readUInt16BE(7);
  const specsLen = buf.readUInt16BE(9);
  const specs: number[] = [];
  for (let i = 13 + certLen; i + 3 <= 13 + certLen + specsLen && i + 3 <= buf.length; i += 3) specs.push(buf.readUIntBE(i, 3));
  return { version: buf.readUInt16BE(5), cipherSpecs: specs };
}

/** Length of an SSLv2 message from its 2-byte header, or null when `buf` does not start one. */
export function sslv2Length(buf: Buffer): number | null {
  return buf.length >= 2 && buf[0] & 0x80 ? 2 + (((buf[0] & 0x7f) << 8) | buf[1]) : null;
}

/**
 * Heartbleed probe (CVE-2014-0160), sent after the server's ServerHelloDone as sslscan does: a
 * HeartbeatRequest claiming 16384 bytes of payload and carrying none, then an honest one with 16
 * bytes. RFC 6520 §4: the first must be discarded. A server that answers it leaks memory; a
 * patched one that speaks heartbeat answers only the second, with exactly its 16 bytes back.
 */
export function heartbleedRecords(version: number): Buffer {
  const evil = Buffer.from([0x01, 0x40, 0x00]);
  const honest = Buffer.concat([Buffer.from([0x01, 0x00, 0x10]), Buffer.alloc(16, 0x6d), randomBytes(16)]);
  const rec = (payload: Buffer) => Buffer.concat([Buffer.from([0x18]), u16(version), u16(payload.length), payload]);
  return Buffer.concat([rec(evil), rec(honest)]);
}
