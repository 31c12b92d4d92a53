// One scan attempt = one connection: plaintext SMTP up to STARTTLS, one TLS handshake with a
// given offer, a look at the result, close. The outcome separates what the server said about TLS
// (accepted / rejected) from the server not being available for an answer at all (421, closes,
// timeouts before STARTTLS): the latter says nothing about the offer and is retried once.
import type { TLSSocket } from 'node:tls';
import { ProbeError } from '../errors.js';
import { tryOpenTlsPath } from './open.js';
import { tlsHandshake, type ClientOffer } from './handshake.js';
import type { ScanTarget } from './target.js';

export type AttemptResult<T> =
  | { kind: 'accepted'; value: T }
  | { kind: 'rejected'; reason: string; local: boolean }
  | { kind: 'unavailable'; error: ProbeError }
  | { kind: 'skipped' };

export interface Handshaken {
  socket: TLSSocket;
  ocsp: Buffer | null;
  session: () => Buffer | null;
}

/** Handshake with `offer`; `inspect` reads what it needs from the live socket, then it is closed. */
export async function tlsAttempt<T>(t: ScanTarget, offer: ClientOffer, inspect: (h: Handshaken) => T | Promise<T>, signal?: AbortSignal): Promise<AttemptResult<T>> {
  const path = await tryOpenTlsPath(t, { signal });
  if (path instanceof ProbeError) return { kind: 'unavailable', error: path };
  if (path.leftover.length > 0) {
    path.socket.destroy();
    return { kind: 'unavailable', error: new ProbeError('starttls', 'starttls-injection', `server sent ${path.leftover.length} bytes after its 220 reply to STARTTLS and before the TLS handshake`) };
  }
  const outcome = await tlsHandshake(path.socket, offer, t.servername, t.tlsTimeoutMs);
  if (!outcome.ok) {
    path.socket.destroy();
    return { kind: 'rejected', reason: outcome.reason, local: outcome.local };
  }
  try {
    return { kind: 'accepted', value: await inspect({ socket: outcome.socket, ocsp: outcome.ocsp, session: outcome.session }) };
  } finally {
    outcome.socket.destroy();
    path.socket.destroy();
  }
}
