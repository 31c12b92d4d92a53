// One scan attempt = one connection: plaintext SMTP up to STARTTLS, one TLS handshake with a
// given offer, a look at the result, close. The outcome separates what the server said about TLS
// (accepted / rejected) from a server that failed the handshake itself (internal_error: nothing
// learned about the offer) and from the server not being available for an answer at all (421,
// closes, timeouts before STARTTLS), which the runner retries.
import type { TLSSocket } from 'node:tls';
import { ProbeError } from '../errors.js';
import type { TlsAlert } from '../types.js';
import { alertText, isServerFailure } from '../tls/alerts.js';
import { tryOpenTlsPath } from './open.js';
import { tlsHandshake, type ClientOffer } from './handshake.js';
import type { ScanTarget } from './target.js';

export type AttemptResult<T> =
  | { kind: 'accepted'; value: T }
  | { kind: 'rejected'; reason: string; local: boolean; alert: TlsAlert | null; error?: ProbeError }
  | { kind: 'failed'; reason: string; alert: TlsAlert | null; error?: ProbeError }
  | { kind: 'unavailable'; error: ProbeError }
  | { kind: 'skipped' };

export interface Handshaken {
  socket: TLSSocket;
  ocsp: Buffer | null;
  session: () => Buffer | null;
}

/** A handshake the server ended with internal_error says nothing about the offer (RFC 8446 §6.2). */
export function refusalOrFailure(reason: string, alert: TlsAlert | null, local: boolean, error?: ProbeError): AttemptResult<never> {
  if (isServerFailure(alert)) return { kind: 'failed', reason: `the server failed the handshake (${alertText(alert!)})`, alert, error };
  return { kind: 'rejected', reason, local, alert, error };
}

/** Handshake with `offer`; `inspect` reads what it needs from the live socket, then it is closed. */
export async function tlsAttempt<T>(t: ScanTarget, offer: ClientOffer, inspect: (h: Handshaken) => T | Promise<T>, signal?: AbortSignal): Promise<AttemptResult<T>> {
  const path = await tryOpenTlsPath(t, { signal });
  if (path instanceof ProbeError) return { kind: 'unavailable', error: path };
  if (path.leftover.length > 0) {
    path.socket.destroy();
    return { kind: 'unavailable', error: new ProbeError('starttls', 'starttls-injection', `server sent ${path.leftover.length} bytes after its 220 reply to STARTTLS and before the TLS handshake`) };
  }
  const outcome = await tlsHandshake(path.socket, offer, t);
  if (!outcome.ok) {
    path.socket.destroy();
    // A plaintext refusal on an implicit-TLS port says nothing about the offer.
    if (outcome.error.phase === 'banner') return { kind: 'unavailable', error: outcome.error };
    return refusalOrFailure(outcome.reason, outcome.error.tlsAlert ?? null, outcome.local, outcome.error);
  }
  try {
    return { kind: 'accepted', value: await inspect({ socket: outcome.socket, ocsp: outcome.ocsp, session: outcome.session }) };
  } finally {
    outcome.socket.destroy();
    path.socket.destroy();
  }
}
