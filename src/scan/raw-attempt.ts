// A hand-built ClientHello over the plaintext-upgraded socket (after STARTTLS's 220): write the
// bytes, read the server's first flight (bounded in size and time) up to what the question
// needs, close. ServerHello alone (a version, a cipher), or on to ServerHelloDone (TLS <= 1.2:
// the key exchange group, DH size and signature algorithm are in ServerKeyExchange).
import type { Socket } from 'node:net';
import { ProbeError } from '../errors.js';
import type { TlsAlert } from '../types.js';
import { tlsAlert } from '../tls/alerts.js';
import { CONTENT, HANDSHAKE, HandshakeReassembler, parseServerHello, parseServerKeyExchange, splitRecords, type ServerHello, type ServerKeyExchange, type TlsRecord } from '../tls/records.js';
import type { AttemptResult } from './attempt.js';
import { implicitRefusal } from './implicit-refusal.js';
import { tryOpenTlsPath } from './open.js';
import { parseSslv2ServerHello, sslv2Length } from './raw-hello.js';
import type { ScanTarget } from './target.js';

export type Flight =
  | { kind: 'hello'; hello: ServerHello; ske: ServerKeyExchange | null; certificateRequested: boolean; done: boolean }
  | { kind: 'sslv2-hello'; version: number; cipherSpecs: number[] }
  | { kind: 'alert'; alert: TlsAlert }
  | { kind: 'other'; detail: string };

export interface FlightOptions {
  /** Stop at the ServerHello, or read on to ServerHelloDone (TLS <= 1.2). */
  until: 'hello' | 'done';
  /** How to read ServerKeyExchange for the cipher the server picked (null: it sends none). */
  keyExchangeOf?: (cipher: number) => { kx: 'ECDH' | 'DH'; signed: boolean } | null;
}

/** Reads TLS records (or one SSLv2 message) off a socket, with a deadline per wait. */
export class RecordReader {
  private buf: Buffer;
  /** Everything received, for a plaintext refusal on an implicit-TLS port. */
  readonly received: Buffer[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;

  constructor(socket: Socket, initial: Buffer) {
    this.buf = initial;
    if (initial.length) this.received.push(initial);
    socket.on('data', (chunk: Buffer) => {
      if (this.received.length < 4) this.received.push(chunk);
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.wake();
    });
    socket.on('error', () => this.end());
    socket.on('close', () => this.end());
  }

  private end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** The next record; 'closed' when the server closed first, 'timeout', or 'oversized' for a header announcing more than a record may hold. */
  async next(timeoutMs: number): Promise<TlsRecord | { sslv2: Buffer } | 'closed' | 'timeout' | 'oversized'> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // An SSLv2 message has the high bit of its first byte set; a TLS record never does.
      const v2 = sslv2Length(this.buf);
      if (v2 !== null) {
        if (this.buf.length >= v2) return { sslv2: this.buf.subarray(0, v2) };
      } else {
        const { records, oversized } = splitRecords(this.buf);
        if (records.length) {
          const first = records[0];
          this.buf = this.buf.subarray(5 + first.body.length);
          return first;
        }
        if (oversized) return 'oversized';
      }
      if (this.ended) return 'closed';
      const left = deadline - performance.now();
      if (left <= 0) return 'timeout';
      const timedOut = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve(true);
        }, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      if (timedOut) return 'timeout';
    }
  }
}

/** The server's answer to a ClientHello, read as far as `o.until` asks; a reason string when it gave none. */
export async function readFlight(reader: RecordReader, timeoutMs: number, o: FlightOptions): Promise<Flight | string> {
  const handshake = new HandshakeReassembler();
  let hello: ServerHello | null = null;
  let ske: ServerKeyExchange | null = null;
  let certificateRequested = false;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await reader.next(Math.max(0, deadline - performance.now()));
    if (r === 'closed' || r === 'timeout' || r === 'oversized') {
      if (hello) return { kind: 'hello', hello, ske, certificateRequested, done: false };
      return r === 'closed' ? 'connection closed after the ClientHello' : r === 'timeout' ? `no answer to the ClientHello within ${timeoutMs} ms` : 'answer is not TLS (oversized record)';
    }
    if ('sslv2' in r) {
      const v2 = parseSslv2ServerHello(r.sslv2);
      return v2 ? { kind: 'sslv2-hello', ...v2 } : { kind: 'other', detail: 'SSLv2 message that is no SERVER-HELLO' };
    }
    if (r.type === CONTENT.alert && r.body.length >= 2) return hello ? { kind: 'hello', hello, ske, certificateRequested, done: false } : { kind: 'alert', alert: tlsAlert(r.body[1]) };
    if (r.type !== CONTENT.handshake) {
      if (hello) return { kind: 'hello', hello, ske, certificateRequested, done: false };
      return { kind: 'other', detail: `record type ${r.type}` };
    }
    let messages;
    try {
      messages = handshake.push(r.body);
    } catch (err) {
      return { kind: 'other', detail: (err as Error).message };
    }
    for (const m of messages) {
      if (m.type === HANDSHAKE.serverHello) {
        hello = parseServerHello(m.body);
        if (!hello) return { kind: 'other', detail: 'malformed ServerHello' };
        // A HelloRetryRequest or a TLS 1.3 ServerHello ends what is readable in the clear.
        if (o.until === 'hello' || hello.helloRetry || hello.version >= 0x0304) return { kind: 'hello', hello, ske, certificateRequested, done: false };
      } else if (!hello) {
        return { kind: 'other', detail: `handshake message ${m.type} before ServerHello` };
      } else if (m.type === HANDSHAKE.serverKeyExchange) {
        const how = o.keyExchangeOf?.(hello.cipher);
        if (how) ske = parseServerKeyExchange(m.body, how.kx, { signed: how.signed, tls12: hello.version === 0x0303 });
      } else if (m.type === HANDSHAKE.certificateRequest) {
        certificateRequested = true;
      } else if (m.type === HANDSHAKE.serverHelloDone) {
        return { kind: 'hello', hello, ske, certificateRequested, done: true };
      }
    }
  }
}

/**
 * One connection: open the TLS path, write `hello`, read the flight. accepted = the server
 * answered (ServerHello, alert or junk: see the flight); rejected = it closed or stayed silent.
 * `then` may go on talking on the socket after the flight (the heartbleed test).
 */
export async function rawHelloAttempt<T = Flight>(
  t: ScanTarget,
  hello: Buffer,
  o: FlightOptions & { signal?: AbortSignal; then?: (flight: Flight, socket: Socket, reader: RecordReader) => Promise<T> },
): Promise<AttemptResult<T>> {
  const path = await tryOpenTlsPath(t, { signal: o.signal });
  if (path instanceof ProbeError) return { kind: 'unavailable', error: path };
  const { socket } = path;
  try {
    const reader = new RecordReader(socket, path.leftover);
    socket.write(hello);
    const flight = await readFlight(reader, t.tlsTimeoutMs, o);
    if (typeof flight === 'string' || flight.kind === 'other') {
      const refusal = t.mode === 'implicit' ? implicitRefusal(Buffer.concat(reader.received)) : null;
      if (refusal) return { kind: 'unavailable', error: refusal };
    }
    if (typeof flight === 'string') return { kind: 'rejected', reason: flight, local: false, alert: null };
    return { kind: 'accepted', value: o.then ? await o.then(flight, socket, reader) : (flight as T) };
  } finally {
    socket.destroy();
  }
}
