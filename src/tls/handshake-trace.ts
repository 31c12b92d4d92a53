// What the server's handshake flight says that Node 20 does not expose: the signature algorithm
// and hash it signed with (openssl s_client's "Peer signature type" / "Peer signing digest",
// posttls-finger's server-signature / server-digest) and whether it asked for a client
// certificate. Node's TLS is handed a Duplex around the TCP socket, so the server's records pass
// through JS on their way in. TLS <= 1.2 sends ServerKeyExchange and CertificateRequest in the
// clear; TLS 1.3 encrypts them (RFC 8446 §2), so the flight is decrypted with the server's
// handshake traffic secret from the socket's 'keylog' event (RFC 8446 §7.1, §7.3, §5.2).
// Parsing waits until result() is asked for: a probe that never asks pays only the copy.
import { createDecipheriv, createHmac } from 'node:crypto';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { PeerSignature } from '../types.js';
import { CONTENT, HANDSHAKE, HandshakeReassembler, certificateVerifyScheme, parseServerHello, parseServerKeyExchange, splitRecords, type HandshakeMessage } from './records.js';
import { legacyPeerSignature, peerSignatureOf } from './signature-schemes.js';

export interface HandshakeTrace {
  /** The signature the server made; null when it made none (RSA key transport, anonymous DH, resumption). */
  signature: PeerSignature | null;
  /** The server sent a CertificateRequest. */
  certificateRequested: boolean;
  /** Server handshake message types seen, in order (RFC 8446 §4 numbers). */
  messages: number[];
  /** Why the trace is partial (a record it could not decrypt or parse); null when whole. */
  error: string | null;
}

/** Stop copying after this much: a handshake flight with a long chain is a few KB. */
const MAX_CAPTURE = 256 * 1024;

/** A Duplex over the TCP socket that keeps a copy of what the server sent until the handshake is done. */
class TapStream extends Duplex {
  readonly inbound: Buffer[] = [];
  captured = 0;
  capturing = true;

  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      if (this.capturing) {
        this.inbound.push(chunk);
        this.captured += chunk.length;
        if (this.captured > MAX_CAPTURE) this.capturing = false;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(err);
  }
}

/** TLS 1.3 record protection per cipher suite (RFC 8446 §B.4): Node cipher, key length, hash, tag length. */
const TLS13_SUITES: Record<string, { cipher: string; keyLength: number; hash: 'sha256' | 'sha384'; tag: number }> = {
  TLS_AES_128_GCM_SHA256: { cipher: 'aes-128-gcm', keyLength: 16, hash: 'sha256', tag: 16 },
  TLS_AES_256_GCM_SHA384: { cipher: 'aes-256-gcm', keyLength: 32, hash: 'sha384', tag: 16 },
  TLS_CHACHA20_POLY1305_SHA256: { cipher: 'chacha20-poly1305', keyLength: 32, hash: 'sha256', tag: 16 },
  TLS_AES_128_CCM_SHA256: { cipher: 'aes-128-ccm', keyLength: 16, hash: 'sha256', tag: 16 },
  TLS_AES_128_CCM_8_SHA256: { cipher: 'aes-128-ccm', keyLength: 16, hash: 'sha256', tag: 8 },
};

/** HKDF-Expand (RFC 5869 §2.3). */
function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac(hash, prk).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** HKDF-Expand-Label(Secret, Label, "", Length) (RFC 8446 §7.1). */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0])]);
  return hkdfExpand(hash, secret, info, length);
}

/** Decrypts the server's handshake records of TLS 1.3 (RFC 8446 §5.2, §5.3), in order. */
class Tls13Decrypter {
  private seq = 0n;
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(private readonly suite: (typeof TLS13_SUITES)[string], secret: Buffer) {
    this.key = hkdfExpandLabel(suite.hash, secret, 'key', suite.keyLength);
    this.iv = hkdfExpandLabel(suite.hash, secret, 'iv', 12);
  }

  /** The inner plaintext's content type and content; throws when the record does not authenticate. */
  open(header: Buffer, body: Buffer): { type: number; content: Buffer } {
    const nonce = Buffer.from(this.iv);
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(this.seq++);
    for (let i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
    const tag = body.subarray(body.length - this.suite.tag);
    const ciphertext = body.subarray(0, body.length - this.suite.tag);
    // Node's AEAD ciphers: GCM and ChaCha20-Poly1305 take the tag after update, CCM needs the lengths first.
    const decipher = createDecipheriv(this.suite.cipher, this.key, nonce, { authTagLength: this.suite.tag } as never) as ReturnType<typeof createDecipheriv> & {
      setAuthTag(tag: Buffer): void;
      setAAD(aad: Buffer, options?: { plaintextLength: number }): void;
    };
    decipher.setAuthTag(tag);
    decipher.setAAD(header, { plaintextLength: ciphertext.length });
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    // TLSInnerPlaintext: content, type, zero padding (RFC 8446 §5.2).
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--;
    if (end === 0) throw new Error('record without a content type');
    return { type: plain[end - 1], content: plain.subarray(0, end - 1) };
  }
}

/** The key type that signed before TLS 1.2 (RFC 4346 §7.4.3), from the suite's IANA name. */
function legacyKeyType(standardName: string): 'RSA' | 'DSA' | 'ECDSA' {
  if (/_ECDSA_/.test(standardName)) return 'ECDSA';
  if (/_DSS_/.test(standardName)) return 'DSA';
  return 'RSA';
}

export class HandshakeTracer {
  readonly stream: TapStream;
  private secrets = new Map<string, Buffer>();
  /** The suite's IANA name, read at secureConnect (a closed socket no longer says). */
  private standardName = '';
  private cached: HandshakeTrace | null = null;

  constructor(socket: Socket) {
    this.stream = new TapStream(socket);
  }

  /** Listen to the TLS socket made over `stream`: its keylog lines, and the end of the handshake. */
  attach(secure: TLSSocket): void {
    secure.on('keylog', (line: Buffer) => {
      const [label, , secret] = line.toString('latin1').trim().split(' ');
      if (label === 'SERVER_HANDSHAKE_TRAFFIC_SECRET' && secret) this.secrets.set(label, Buffer.from(secret, 'hex'));
    });
    // Records after the handshake are the conversation's: no need to keep them.
    secure.once('secureConnect', () => {
      this.standardName = secure.getCipher()?.standardName ?? '';
      setImmediate(() => (this.stream.capturing = false));
    });
  }

  /** The trace of the handshake; call after secureConnect. */
  result(): HandshakeTrace {
    this.cached ??= this.parse();
    return this.cached;
  }

  /** Parse again, uncached (bench/handshake-trace.mjs times the parse alone). */
  reparse(): HandshakeTrace {
    return this.parse();
  }

  private parse(): HandshakeTrace {
    const trace: HandshakeTrace = { signature: null, certificateRequested: false, messages: [], error: null };
    const standardName = this.standardName;
    const { records } = splitRecords(Buffer.concat(this.stream.inbound));
    const plain = new HandshakeReassembler();
    let tls13 = false;
    let decrypter: Tls13Decrypter | null = null;
    let tls12 = true;
    const onMessage = (m: HandshakeMessage): boolean => {
      trace.messages.push(m.type);
      if (m.type === HANDSHAKE.serverHello) {
        const hello = parseServerHello(m.body);
        if (hello && !hello.helloRetry) {
          tls13 = hello.version === 0x0304;
          tls12 = hello.version === 0x0303;
        }
      } else if (m.type === HANDSHAKE.certificateRequest) {
        trace.certificateRequested = true;
      } else if (m.type === HANDSHAKE.serverKeyExchange) {
        const kx = /_ECDHE_/.test(standardName) ? 'ECDH' : 'DH';
        const anonymous = /_anon_/.test(standardName);
        const ske = parseServerKeyExchange(m.body, kx, { signed: !anonymous, tls12 });
        if (!ske) trace.error = 'malformed ServerKeyExchange';
        else if (!anonymous) trace.signature = tls12 && ske.signatureScheme !== null ? peerSignatureOf(ske.signatureScheme) : legacyPeerSignature(legacyKeyType(standardName));
      } else if (m.type === HANDSHAKE.certificateVerify) {
        const scheme = certificateVerifyScheme(m.body);
        if (scheme !== null) trace.signature = peerSignatureOf(scheme);
      }
      // The server's flight ends with Finished (TLS 1.3) or ServerHelloDone (TLS <= 1.2).
      return m.type === HANDSHAKE.finished || m.type === HANDSHAKE.serverHelloDone;
    };
    const encrypted = new HandshakeReassembler();
    try {
      for (const r of records) {
        if (r.type === CONTENT.handshake) {
          if (plain.push(r.body).some(onMessage)) break;
        } else if (r.type === CONTENT.applicationData && tls13) {
          if (!decrypter) {
            const suite = TLS13_SUITES[standardName];
            const secret = this.secrets.get('SERVER_HANDSHAKE_TRAFFIC_SECRET');
            if (!suite || !secret) {
              trace.error = suite ? 'no handshake traffic secret (keylog)' : `cannot decrypt ${standardName || 'an unknown suite'}`;
              break;
            }
            decrypter = new Tls13Decrypter(suite, secret);
          }
          const inner = decrypter.open(r.header, r.body);
          if (inner.type === CONTENT.handshake && encrypted.push(inner.content).some(onMessage)) break;
        } else if (r.type === CONTENT.changeCipherSpec && !tls13) {
          // TLS <= 1.2: what follows the server's ChangeCipherSpec is encrypted, and after our flight.
          break;
        }
      }
    } catch (err) {
      trace.error = `handshake flight unreadable: ${(err as Error).message}`;
    }
    return trace;
  }
}

const traces = new WeakMap<TLSSocket, HandshakeTracer>();

/** Remember the tracer of a TLS socket (src/tls/upgrade.ts with `trace: true`). */
export function registerTrace(secure: TLSSocket, tracer: HandshakeTracer): void {
  traces.set(secure, tracer);
}

/** The tracer of a socket upgraded with `trace: true`. */
export function tracerOf(secure: TLSSocket): HandshakeTracer | null {
  return traces.get(secure) ?? null;
}

/** The handshake trace of a socket upgraded with `trace: true`, or null when it was not traced. */
export function handshakeTraceOf(secure: TLSSocket): HandshakeTrace | null {
  return traces.get(secure)?.result() ?? null;
}
