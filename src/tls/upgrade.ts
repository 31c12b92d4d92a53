import type { Socket } from 'node:net';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import { ProbeError } from '../errors.js';
import type { Mode, Phase } from '../types.js';
import { classifySocketError } from '../smtp/socket-errors.js';
import { HandshakeTracer, registerTrace } from './handshake-trace.js';
import { receivedAlert } from './alerts.js';

export interface UpgradeOptions {
  /** SNI; null for IP literals (RFC 6066 §3: literal addresses are not permitted). */
  servername: string | null;
  secureContext: SecureContext;
  timeoutMs: number;
  phase: Phase;
  mode: Mode;
  /**
   * Read the server's handshake flight (src/tls/handshake-trace.ts): its signature algorithm and
   * CertificateRequest, then available through handshakeTraceOf(socket) and negotiatedFacts().
   */
  trace?: boolean;
}

/**
 * Run a TLS handshake over an already connected socket (after STARTTLS's 220,
 * or right after connect for implicit TLS). Verification is off here on
 * purpose: trust and names are judged afterwards, separately, and both are
 * always reported (STYLE.md "verify yourself, report everything").
 */
export function upgradeToTls(socket: Socket, options: UpgradeOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tracer = options.trace ? new HandshakeTracer(socket) : null;
    const secure = tls.connect({
      socket: tracer ? tracer.stream : socket,
      secureContext: options.secureContext,
      servername: options.servername ?? undefined,
      rejectUnauthorized: false,
      // Chain trust comes from OpenSSL; name matching is ours (Postfix rules), so
      // Node's own identity check must not overwrite authorizationError.
      checkServerIdentity: () => undefined,
    });
    if (tracer) {
      tracer.attach(secure);
      registerTrace(secure, tracer);
    }
    let settled = false;
    const finish = (error: ProbeError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      secure.off('secureConnect', onSecure);
      secure.off('error', onError);
      secure.off('close', onClose);
      if (error) {
        secure.destroy();
        reject(error);
      } else {
        resolve(secure);
      }
    };
    const onSecure = () => finish(null);
    const onError = (err: Error & { code?: string }) => finish(handshakeError(err, options));
    const onClose = () => finish(new ProbeError(options.phase, 'closed', 'connection closed by server during the TLS handshake'));
    const timer = setTimeout(
      () => finish(new ProbeError(options.phase, 'timeout', `timeout waiting for the TLS handshake after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    secure.once('secureConnect', onSecure);
    secure.on('error', onError);
    secure.once('close', onClose);
  });
}

// OpenSSL's reasons when the peer's bytes are not a TLS record at all.
const NOT_TLS = /wrong version number|packet length too long|unknown protocol|http request|record layer failure/i;

/** A failed handshake as the probe reports it: reset/timeout, plaintext on an implicit port, or tls-handshake. */
export function handshakeError(err: Error & { code?: string }, options: Pick<UpgradeOptions, 'phase' | 'mode'>): ProbeError {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.code === 'ETIMEDOUT') {
    const { code, message } = classifySocketError(err);
    return new ProbeError(options.phase, code, `${message} during the TLS handshake`);
  }
  const reason = opensslReason(err);
  if (options.mode === 'implicit' && NOT_TLS.test(reason)) {
    return new ProbeError(options.phase, 'plaintext-on-implicit-port', `server did not answer with TLS (${reason}): the port speaks plaintext SMTP; try STARTTLS (--starttls or smtp://)`);
  }
  const error = new ProbeError(options.phase, 'tls-handshake', `TLS handshake failed: ${reason}`);
  const alert = receivedAlert(err);
  if (alert) error.tlsAlert = alert;
  return error;
}

/** "...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:..." → "wrong version number" */
export function opensslReason(err: Error & { reason?: string }): string {
  if (err.reason) return err.reason;
  const m = /SSL routines:[^:]*:([^:]+)/.exec(err.message) ?? /SSL routines::([^:]+)/.exec(err.message);
  return m ? m[1].trim() : err.message;
}
