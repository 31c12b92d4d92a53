// Hand-built ClientHellos for what OpenSSL 3 can no longer send (SSLv2, SSLv3), and a TLS 1.2 one
// whose ServerHello shows what Node hides: the renegotiation_info extension (RFC 5746) and the
// compression method. Pure functions: bytes in, bytes out. Only the server's first flight is read.
import { randomBytes } from 'node:crypto';
import { CIPHERS } from './cipher-info.js';

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

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const vec8 = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
/** signature_algorithms we offer: ECDSA, RSA-PSS, RSA PKCS#1 (SHA-2 and SHA-1). */
const SIGALGS = [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402, 0x0202];

function record(version: number, handshakeBody: Buffer): Buffer {
  const handshake = Buffer.concat([Buffer.from([0x01]), u24(handshakeBody.length), handshakeBody]);
  return Buffer.concat([Buffer.from([0x16]), u16(version), u16(handshake.length), handshake]);
}

/** SSLv3 ClientHello (RFC 6101 §5.6.1.2): no extensions, null compression. */
export function sslv3ClientHello(cipherIds: readonly number[] = SSL3_CIPHERS.map((c) => c[0])): Buffer {
  const body = Buffer.concat([u16(0x0300), randomBytes(32), vec8(Buffer.alloc(0)), vec16(Buffer.concat(cipherIds.map(u16))), vec8(Buffer.from([0x00]))]);
  return record(0x0300, body);
}

/** SSLv2 CLIENT-HELLO: 2-byte header, msg type 1, version 0x0002, the seven SSLv2 cipher kinds. */
export function sslv2ClientHello(): Buffer {
  const specs = Buffer.from([0x01, 0x00, 0x80, 0x02, 0x00, 0x80, 0x03, 0x00, 0x80, 0x04, 0x00, 0x80, 0x05, 0x00, 0x80, 0x06, 0x00, 0x40, 0x07, 0x00, 0xc0]);
  const challenge = randomBytes(16);
  const body = Buffer.concat([Buffer.from([0x01]), u16(0x0002), u16(specs.length), u16(0), u16(challenge.length), specs, challenge]);
  return Buffer.concat([Buffer.from([0x80 | (body.length >> 8), body.length & 0xff]), body]);
}

function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(data)]);
}

/**
 * TLS 1.2 ClientHello offering DEFLATE before null compression and an empty renegotiation_info
 * (RFC 5746 §3.4), with every <= TLS 1.2 suite this OpenSSL knows, so any TLS 1.2 server answers.
 */
export function tls12ClientHello(servername: string | null): Buffer {
  const suites = CIPHERS.filter((c) => c.minProtocol !== 'TLSv1.3').map((c) => parseInt(c.id.replace(/0x|,/g, ''), 16));
  const groups = [0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101];
  const exts = [
    extension(0xff01, Buffer.from([0x00])),
    extension(0x000a, vec16(Buffer.concat(groups.map(u16)))),
    extension(0x000b, vec8(Buffer.from([0x00]))),
    extension(0x000d, vec16(Buffer.concat(SIGALGS.map(u16)))),
    ...sniExtension(servername),
  ];
  const body = Buffer.concat([u16(0x0303), randomBytes(32), vec8(Buffer.alloc(0)), vec16(Buffer.concat(suites.map(u16))), vec8(Buffer.from([0x01, 0x00])), vec16(Buffer.concat(exts))]);
  return record(0x0301, body);
}

/** RFC 8446 §4.1.3: the ServerHello random that marks a HelloRetryRequest. */
const HRR_RANDOM = Buffer.from('CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C', 'hex');

/** IANA named-group ids (RFC 8446 §4.2.7, RFC 7919). */
export const GROUP_IDS: Record<string, number> = {
  X25519: 0x001d, X448: 0x001e, 'P-256': 0x0017, 'P-384': 0x0018, 'P-521': 0x0019,
  ffdhe2048: 0x0100, ffdhe3072: 0x0101, ffdhe4096: 0x0102, ffdhe6144: 0x0103, ffdhe8192: 0x0104,
};


function sniExtension(servername: string | null): Buffer[] {
  if (!servername) return [];
  return [extension(0x0000, vec16(Buffer.concat([Buffer.from([0x00]), vec16(Buffer.from(servername, 'ascii'))])))];
}

/**
 * TLS 1.3 ClientHello that names one group in supported_groups and sends no key share for it
 * (RFC 8446 §4.2.8: an empty client_shares is allowed). A server that accepts the group answers
 * with a HelloRetryRequest selecting it; one that does not, with an alert. No key is generated on
 * either side, so even ffdhe8192 costs one round trip.
 */
export function tls13GroupHello(group: number, servername: string | null): Buffer {
  const suites = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];
  const exts = [
    extension(0x002b, vec8(u16(0x0304))),
    extension(0x000a, vec16(u16(group))),
    extension(0x0033, vec16(Buffer.alloc(0))),
    extension(0x000d, vec16(Buffer.concat(SIGALGS.map(u16)))),
    ...sniExtension(servername),
  ];
  const body = Buffer.concat([u16(0x0303), randomBytes(32), vec8(randomBytes(32)), vec16(Buffer.concat(suites.map(u16))), vec8(Buffer.from([0x00])), vec16(Buffer.concat(exts))]);
  return record(0x0301, body);
}

/** TLS 1.2 ClientHello offering only ECDHE suites and one curve: a ServerHello means the curve is accepted. */
export function tls12GroupHello(group: number, servername: string | null): Buffer {
  const suites = CIPHERS.filter((c) => c.minProtocol !== 'TLSv1.3' && c.keyExchange === 'ECDH').map((c) => parseInt(c.id.replace(/0x|,/g, ''), 16));
  const exts = [
    extension(0xff01, Buffer.from([0x00])),
    extension(0x000a, vec16(u16(group))),
    extension(0x000b, vec8(Buffer.from([0x00]))),
    extension(0x000d, vec16(Buffer.concat(SIGALGS.map(u16)))),
    ...sniExtension(servername),
  ];
  const body = Buffer.concat([u16(0x0303), randomBytes(32), vec8(Buffer.alloc(0)), vec16(Buffer.concat(suites.map(u16))), vec8(Buffer.from([0x00])), vec16(Buffer.concat(exts))]);
  return record(0x0301, body);
}

export type ServerReply =
  | { kind: 'server-hello'; version: number; cipher: number; compression: number; extensions: number[]; renegotiationInfo: boolean; helloRetry: boolean; selectedGroup: number | null }
  | { kind: 'sslv2-server-hello'; version: number; cipherSpecs: number[] }
  | { kind: 'alert'; level: number; description: number }
  | { kind: 'incomplete' }
  | { kind: 'other'; detail: string };

/** How many bytes the first record (or SSLv2 message) needs; null until the header is in. */
export function firstRecordLength(buf: Buffer): number | null {
  if (buf.length < 2) return null;
  if (buf[0] & 0x80) return 2 + (((buf[0] & 0x7f) << 8) | buf[1]);
  if (buf.length < 5) return null;
  return 5 + buf.readUInt16BE(3);
}

/** Parse the server's first record: ServerHello (v3 format or SSLv2), an alert, or something else. */
export function parseServerReply(buf: Buffer): ServerReply {
  const need = firstRecordLength(buf);
  if (need === null || buf.length < need) return { kind: 'incomplete' };
  if (buf[0] & 0x80) {
    // SSLv2 SERVER-HELLO: type 4, session-id-hit, cert type, version, cert len, specs len, conn-id len.
    if (buf.length < 13 || buf[2] !== 0x04) return { kind: 'other', detail: `SSLv2 message type ${buf[2]}` };
    const certLen = buf.readUInt16BE(7);
    const specsLen = buf.readUInt16BE(9);
    const specs: number[] = [];
    for (let i = 13 + certLen; i + 3 <= 13 + certLen + specsLen && i + 3 <= buf.length; i += 3) specs.push(buf.readUIntBE(i, 3));
    return { kind: 'sslv2-server-hello', version: buf.readUInt16BE(5), cipherSpecs: specs };
  }
  const type = buf[0];
  const body = buf.subarray(5, need);
  if (type === 0x15 && body.length >= 2) return { kind: 'alert', level: body[0], description: body[1] };
  if (type !== 0x16 || body.length < 4 || body[0] !== 0x02) return { kind: 'other', detail: `record type ${type}` };
  try {
    let i = 4;
    let version = body.readUInt16BE(i); i += 2;
    const helloRetry = body.subarray(i, i + 32).equals(HRR_RANDOM); i += 32;
    i += 1 + body[i];
    const cipher = body.readUInt16BE(i); i += 2;
    const compression = body[i]; i += 1;
    const extensions: number[] = [];
    let renegotiationInfo = false;
    let selectedGroup: number | null = null;
    if (i + 2 <= body.length) {
      const end = Math.min(body.length, i + 2 + body.readUInt16BE(i));
      for (i += 2; i + 4 <= end; ) {
        const t = body.readUInt16BE(i);
        const len = body.readUInt16BE(i + 2);
        extensions.push(t);
        if (t === 0xff01) renegotiationInfo = true;
        // supported_versions carries the real version from TLS 1.3 on; key_share the group.
        if (t === 0x002b && len === 2) version = body.readUInt16BE(i + 4);
        if (t === 0x0033 && len >= 2) selectedGroup = body.readUInt16BE(i + 4);
        i += 4 + len;
      }
    }
    if (compression === undefined) return { kind: 'other', detail: 'short ServerHello' };
    return { kind: 'server-hello', version, cipher, compression, extensions, renegotiationInfo, helloRetry, selectedGroup };
  } catch {
    return { kind: 'other', detail: 'malformed ServerHello' };
  }
}
