// One TLS handshake with exactly the client offer a scan attempt asks for. Like upgradeToTls
// (src/tls/upgrade.ts), verification is off: a scan records what is served, it does not judge
// trust. A failure is classified as the probe classifies it (handshakeError: tls-handshake with
// the server's alert, plaintext-on-implicit-port, reset, timeout), so a scan and a probe of the
// same server name the same failure.
import type { Socket } from 'node:net';
import { constants as cryptoConstants } from 'node:crypto';
import tls, { type SecureVersion, type TLSSocket } from 'node:tls';
import { ProbeError } from '../errors.js';
import { HandshakeTracer, registerTrace } from '../tls/handshake-trace.js';
import { handshakeError, opensslReason } from '../tls/upgrade.js';
import { implicitRefusal } from './implicit-refusal.js';
import type { ScanTarget } from './target.js';

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
  /** Read the server's signature algorithm and CertificateRequest (src/tls/handshake-trace.ts). */
  trace?: boolean;
}

export type HandshakeOutcome =
  | { ok: true; socket: TLSSocket; ocsp: Buffer | null; session: () => Buffer | null }
  | { ok: false; reason: string; error: ProbeError; local: boolean };

// OpenSSL refuses before sending anything: the offer itself is empty for this version.
const LOCAL_REFUSALS = new Set(['ERR_SSL_NO_CIPHERS_AVAILABLE', 'ERR_SSL_NO_SUITABLE_GROUPS', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE']);

export function tlsHandshake(socket: Socket, offer: ClientOffer, t: Pick<ScanTarget, 'servername' | 'tlsTimeoutMs' | 'mode'>): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let ocsp: Buffer | null = null;
    let session: Buffer | null = null;
    let secure: TLSSocket;
    // Implicit TLS: the tap also shows a plaintext refusal (421) sent instead of TLS.
    const tracer = offer.trace || t.mode === 'implicit' ? new HandshakeTracer(socket) : null;
    try {
      secure = tls.connect({
        socket: tracer ? tracer.stream : socket,
        servername: t.servername ?? undefined,
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
      const e = err as Error & { code?: string };
      resolve({ ok: false, reason: e.message, error: new ProbeError('handshake', 'tls-handshake', e.message), local: true });
      return;
    }
    if (tracer) {
      tracer.attach(secure);
      registerTrace(secure, tracer);
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
    const fail = (error: ProbeError, local = false) => finish({ ok: false, reason: error.message.replace(/^TLS handshake failed: /, ''), error, local });
    const onClose = () => fail(new ProbeError('handshake', 'closed', 'connection closed by server during the TLS handshake'));
    const timer = setTimeout(() => fail(new ProbeError('handshake', 'timeout', `timeout waiting for the TLS handshake after ${t.tlsTimeoutMs} ms`)), t.tlsTimeoutMs);
    secure.on('OCSPResponse', (r: Buffer | null) => (ocsp = r && r.length > 0 ? r : null));
    secure.on('session', (s: Buffer) => (session = s));
    // After the handshake, errors belong to whoever uses the socket; never unhandled.
    secure.on('error', (err: Error & { code?: string }) => {
      const local = err.code !== undefined && LOCAL_REFUSALS.has(err.code);
      const refusal = t.mode === 'implicit' && tracer ? implicitRefusal(Buffer.concat(tracer.stream.inbound)) : null;
      if (refusal) return fail(refusal);
      fail(local ? new ProbeError('handshake', 'tls-handshake', opensslReason(err)) : handshakeError(err, { phase: 'handshake', mode: t.mode }), local);
    });
    secure.once('close', onClose);
    secure.once('secureConnect', () => finish({ ok: true, socket: secure, ocsp, session: () => session }));
  });
}
