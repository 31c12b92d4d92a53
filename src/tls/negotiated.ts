import type { TLSSocket } from 'node:tls';
import type { TlsFacts } from '../types.js';
import { handshakeTraceOf, type HandshakeTrace } from './handshake-trace.js';

/**
 * What the handshake settled on, read from the socket after secureConnect. Only a socket upgraded
 * with `trace: true` (src/tls/upgrade.ts) has the trace's facts.
 */
export function negotiatedFacts(socket: TLSSocket, servername: string | null): TlsFacts {
  const cipher = socket.getCipher();
  const ephemeral = socket.getEphemeralKeyInfo();
  const alpn = socket.alpnProtocol;
  return {
    // getCipher().version is the cipher's minimum protocol, not the negotiated one.
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: { name: cipher.name, standardName: cipher.standardName, bits: cipherBits(cipher.standardName || cipher.name) },
    keyExchange: keyExchangeOf(ephemeral, cipher.standardName),
    servername,
    alpn: typeof alpn === 'string' ? alpn : null,
    sessionReused: socket.isSessionReused(),
    ...traceFacts(handshakeTraceOf(socket)),
  };
}

/**
 * The trace's facts as the result carries them. A whole flight gives each fact; a partial one
 * (trace.error) gives only what it saw: "no signature" or "no CertificateRequest" would be a
 * claim about the part that could not be read. No trace (--no-handshake-trace): nothing.
 */
export function traceFacts(trace: HandshakeTrace | null): Pick<TlsFacts, 'peerSignature' | 'certificateRequested' | 'handshakeTraceError'> {
  if (!trace) return {};
  if (trace.error === null) return { peerSignature: trace.signature, certificateRequested: trace.certificateRequested };
  return {
    ...(trace.signature && { peerSignature: trace.signature }),
    ...(trace.certificateRequested && { certificateRequested: true }),
    handshakeTraceError: trace.error,
  };
}

function keyExchangeOf(info: ReturnType<TLSSocket['getEphemeralKeyInfo']>, standardName: string): TlsFacts['keyExchange'] {
  if (!info || !('type' in info) || !info.type) {
    // RSA key transport has no ephemeral key: say so rather than leave a blank.
    return /^TLS_RSA_/.test(standardName) ? { type: 'RSA', group: null, bits: null } : null;
  }
  const { type, name, size } = info as { type: string; name?: string; size?: number };
  return { type, group: name ?? null, bits: size ?? null };
}

/** Symmetric key bits, as OpenSSL's SSL_CIPHER_get_bits reports them. */
export function cipherBits(name: string): number | null {
  if (/CHACHA20/.test(name)) return 256;
  if (/AES_?256|AES256/.test(name)) return 256;
  if (/AES_?128|AES128/.test(name)) return 128;
  if (/CAMELLIA_?256|CAMELLIA256/.test(name)) return 256;
  if (/CAMELLIA_?128|CAMELLIA128/.test(name)) return 128;
  if (/ARIA_?256|ARIA256/.test(name)) return 256;
  if (/ARIA_?128|ARIA128/.test(name)) return 128;
  if (/3DES|DES_CBC3|DES-CBC3/.test(name)) return 112;
  if (/SEED|IDEA|RC4_128|RC4-|RC4_/.test(name)) return 128;
  if (/NULL/.test(name)) return 0;
  return null;
}
