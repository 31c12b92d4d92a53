// One TLS handshake with exactly the client offer a scan attempt asks for. Like upgradeToTls
// (src/tls/upgrade.ts), verification is off: a scan records what is served, it does not judge trust.
import type { Socket } from 'node:net';
import { constants as cryptoConstants } from 'node:crypto';
import tls, { type SecureVersion, type TLSSocket } from 'node:tls';
import { opensslReason } from '../tls/upgrade.js';

export interface ClientOffer {
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** Node `ciphers` (TLS_* names become the TLS 1.3 ciphersuites). */
  ciphers: string;
  /** Supported groups, OpenSSL names joined with ":" (Node `ecdhCurve`). */
  groups?: string;
  /** signature_algorithms (Node `sigalgs`). */
  sigalgs?: string;
  /** Resume this session (from a previous attempt's 'session' event). */
  session?: Buffer;
  /** No session ticket extension: only session-ID resumption is possible. */
  noTickets?: boolean;
  requestOcsp?: boolean;
}

export type HandshakeOutcome =
  | { ok: true; socket: TLSSocket; ocsp: Buffer | null; session: () => Buffer | null }
  | { ok: false; reason: string; code: string | null; local: boolean };

// OpenSSL refuses before sending anything: the offer itself is empty for this version.
const LOCAL_REFUSALS = new Set(['ERR_SSL_NO_CIPHERS_AVAILABLE', 'ERR_SSL_NO_SUITABLE_GROUPS', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE']);

export function tlsHandshake(socket: Socket, offer: ClientOffer, servername: string | null, timeoutMs: number): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let ocsp: Buffer | null = null;
    let session: Buffer | null = null;
    let secure: TLSSocket;
    try {
      secure = tls.connect({
        socket,
        servername: servername ?? undefined,
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        minVersion: offer.minVersion,
        maxVersion: offer.maxVersion,
        ciphers: offer.ciphers,
        ...(offer.groups && { ecdhCurve: offer.groups }),
        ...(offer.sigalgs && { sigalgs: offer.sigalgs }),
        ...(offer.session && { session: offer.session }),
        ...(offer.noTickets && { secureOptions: cryptoConstants.SSL_OP_NO_TICKET }),
        ...(offer.requestOcsp && { requestOCSP: true }),
      });
    } catch (err) {
      socket.destroy();
      resolve({ ok: false, reason: (err as Error).message, code: (err as { code?: string }).code ?? null, local: true });
      return;
    }
    let settled = false;
    const finish = (outcome: HandshakeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      secure.off('close', onClose);
      if (!outcome.ok) secure.destroy();
      resolve(outcome);
    };
    const onClose = () => finish({ ok: false, reason: 'connection closed by server during the TLS handshake', code: 'closed', local: false });
    const timer = setTimeout(() => finish({ ok: false, reason: `timeout waiting for the TLS handshake after ${timeoutMs} ms`, code: 'timeout', local: false }), timeoutMs);
    secure.on('OCSPResponse', (r: Buffer | null) => (ocsp = r && r.length > 0 ? r : null));
    secure.on('session', (s: Buffer) => (session = s));
    // After the handshake, errors belong to whoever uses the socket; never unhandled.
    secure.on('error', (err: Error & { code?: string }) => {
      const code = err.code ?? null;
      finish({ ok: false, reason: opensslReason(err), code, local: code !== null && LOCAL_REFUSALS.has(code) });
    });
    secure.once('close', onClose);
    secure.once('secureConnect', () => finish({ ok: true, socket: secure, ocsp, session: () => session }));
  });
}
