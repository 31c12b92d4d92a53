// The default handshake (what a client with everything enabled gets: protocol, cipher, OCSP
// staple, a session to resume) and the two resumption tests.
import type { TLSSocket } from 'node:tls';
import type { TlsFacts } from '../types.js';
import { negotiatedFacts } from '../tls/negotiated.js';
import { ReplyReader } from '../smtp/reply-reader.js';
import { tlsAttempt, type AttemptResult, type Handshaken } from './attempt.js';
import { CIPHERS, cipherOption } from './cipher-info.js';
import type { ClientOffer } from './handshake.js';
import type { AttemptRunner } from './runner.js';
import { notTested } from './untested.js';
import type { ScanTarget } from './target.js';

export const EVERYTHING: ClientOffer = { minVersion: 'TLSv1', maxVersion: 'TLSv1.3', ciphers: cipherOption(CIPHERS) };
const UP_TO_TLS12: ClientOffer = { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: cipherOption(CIPHERS.filter((c) => c.minProtocol !== 'TLSv1.3')) };

/**
 * One SMTP round trip inside TLS (EHLO, or the greeting on implicit TLS). TLS 1.3 tickets come
 * after the handshake; by the time the reply is in, a ticket sent with the handshake was processed.
 */
async function roundTrip(socket: TLSSocket, t: ScanTarget): Promise<void> {
  const reader = new ReplyReader(socket, null);
  try {
    if (t.mode === 'implicit') await reader.readReply({ phase: 'banner', timeoutMs: t.bannerTimeoutMs, waitingFor: 'banner', greeting: true });
    else {
      socket.write(`EHLO ${t.ehlo}\r\n`);
      await reader.readReply({ phase: 'ehlo-tls', timeoutMs: t.timeoutMs, waitingFor: 'reply to EHLO' });
    }
  } catch {
    // Only a sync point: a server that does not answer simply has issued what it issued.
  } finally {
    reader.detach();
  }
}

/**
 * A session to resume. TLS 1.3 tickets follow the server's Finished (RFC 8446 §4.6.1): the first
 * one is enough, and waiting for it costs less than an EHLO round trip, which Postfix's Nagle
 * holds back behind its second ticket (DESIGN.md "Known Node 20 traps"). The round trip still
 * ends the wait for a server that issues none.
 */
async function sessionOf(h: Handshaken, t: ScanTarget): Promise<Buffer | null> {
  if (h.session()) return h.session();
  await Promise.race([firstTicket(h.socket), roundTrip(h.socket, t)]);
  return h.session();
}

/** Resolves at the next 'session' event (a NewSessionTicket processed). */
function firstTicket(socket: TLSSocket): Promise<void> {
  return new Promise((resolve) => socket.once('session', () => resolve()));
}

/**
 * When a command may be written in TLS 1.3 without waiting on the server's Nagle: after its first
 * ticket was processed (or `maxMs`), and one turn of the event loop later: Node 20 does not flush
 * a write made while the ticket's 'session' event is being handled.
 */
export async function readyToWrite(socket: TLSSocket, maxMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([firstTicket(socket), new Promise((r) => (timer = setTimeout(r, maxMs)))]);
  clearTimeout(timer);
  await new Promise((r) => setImmediate(r));
}

export interface Preflight {
  negotiated: TlsFacts;
  ocspStapling: boolean;
  /** A session resumable by ticket (null when the server issued no ticket). */
  ticketSession: Buffer | null;
}

export function preflight(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<AttemptResult<Preflight>> {
  return runner.run(() => tlsAttempt(t, { ...EVERYTHING, requestOcsp: true, trace: true }, async (h) => {
    const session = await sessionOf(h, t);
    const tls13 = h.socket.getProtocol() === 'TLSv1.3';
    const ticketIssued = tls13 ? session !== null : h.socket.getTLSTicket() !== undefined;
    return { negotiated: negotiatedFacts(h.socket, t.servername), ocspStapling: h.ocsp !== null, ticketSession: ticketIssued ? session : null };
  }, signal), 20);
}

/** A feature's value, or null with why it is no result. */
export interface FeatureResult<T> {
  value: T | null;
  untestedReason: string | null;
}

async function resumes(runner: AttemptRunner, t: ScanTarget, offer: ClientOffer, session: Buffer, signal?: AbortSignal): Promise<FeatureResult<boolean>> {
  const r = await runner.run(() => tlsAttempt(t, { ...offer, session }, ({ socket }) => socket.isSessionReused(), signal));
  if (r.kind === 'accepted') return { value: r.value, untestedReason: null };
  if (r.kind === 'rejected') return { value: false, untestedReason: null };
  return { value: null, untestedReason: notTested(r, runner) };
}

export async function ticketResumption(runner: AttemptRunner, t: ScanTarget, pre: Preflight, signal?: AbortSignal): Promise<FeatureResult<boolean>> {
  return pre.ticketSession ? resumes(runner, t, EVERYTHING, pre.ticketSession, signal) : { value: false, untestedReason: null };
}

/** Session-ID resumption (RFC 5246 §7.3): tickets off, so only the server's session cache can resume. */
export async function sessionIdResumption(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<FeatureResult<boolean>> {
  const offer = { ...UP_TO_TLS12, noTickets: true };
  const first = await runner.run(() => tlsAttempt(t, offer, (h) => sessionOf(h, t), signal));
  if (first.kind === 'rejected') return { value: null, untestedReason: `not applicable: no TLS <= 1.2 handshake (${first.reason})` };
  if (first.kind !== 'accepted') return { value: null, untestedReason: notTested(first, runner) };
  return first.value ? resumes(runner, t, offer, first.value, signal) : { value: false, untestedReason: null };
}
