// Does the server ask for a client certificate (smtpd_tls_ask_ccert)? In TLS 1.2 the
// CertificateRequest travels in the clear in the server's first flight, before ServerHelloDone
// (RFC 5246 §7.4.4), so a raw TLS 1.2 ClientHello shows it. In TLS 1.3 it is encrypted
// (RFC 8446 §4.3.2) and Node's TLS client has no hook that reports it: there it is not visible.
import { ProbeError } from '../errors.js';
import type { AttemptResult } from '../scan/attempt.js';
import { CIPHERS } from '../scan/cipher-info.js';
import { tryOpenTlsPath } from '../scan/open.js';
import { tls12ClientHello } from '../scan/raw-hello.js';
import type { ScanTarget } from '../scan/target.js';

/** The server's first flight is a few certificates at most: never buffer more. */
const MAX_FLIGHT = 128 * 1024;
const HANDSHAKE = 22;
const ALERT = 21;
const CERTIFICATE_REQUEST = 13;
const SERVER_HELLO_DONE = 14;

export type FlightVerdict =
  | { kind: 'done'; certificateRequest: boolean; anonymous: boolean }
  | { kind: 'alert' }
  | { kind: 'more' }
  | { kind: 'garbage'; detail: string };

const anonymousIds = new Set(CIPHERS.filter((c) => c.anonymous).map((c) => parseInt(c.id.replace(/0x|,/g, ''), 16)));

/** Read the handshake messages of a TLS 1.2 server flight (records may split or join messages). */
export function readFlight(buf: Buffer): FlightVerdict {
  const hs: Buffer[] = [];
  let i = 0;
  while (i + 5 <= buf.length) {
    const type = buf[i];
    const len = buf.readUInt16BE(i + 3);
    if (i + 5 + len > buf.length) break;
    if (type === ALERT) return { kind: 'alert' };
    if (type !== HANDSHAKE) return { kind: 'garbage', detail: `record type ${type} in the server's first flight` };
    hs.push(buf.subarray(i + 5, i + 5 + len));
    i += 5 + len;
  }
  const msgs = Buffer.concat(hs);
  let request = false;
  let anonymous = false;
  for (let j = 0; j + 4 <= msgs.length; ) {
    const type = msgs[j];
    const len = msgs.readUIntBE(j + 1, 3);
    if (j + 4 + len > msgs.length) break;
    // ServerHello: version(2) random(32) session_id<1> cipher(2)
    if (type === 2 && len >= 38) anonymous = anonymousIds.has(msgs.readUInt16BE(j + 4 + 34 + 1 + msgs[j + 4 + 34]));
    if (type === CERTIFICATE_REQUEST) request = true;
    if (type === SERVER_HELLO_DONE) return { kind: 'done', certificateRequest: request, anonymous };
    j += 4 + len;
  }
  return { kind: 'more' };
}

/** One connection: a TLS 1.2 ClientHello, then the server's flight up to ServerHelloDone. */
export async function certificateRequestAttempt(t: ScanTarget, signal?: AbortSignal): Promise<AttemptResult<FlightVerdict>> {
  const path = await tryOpenTlsPath(t, { signal });
  if (path instanceof ProbeError) return { kind: 'unavailable', error: path };
  const { socket } = path;
  return new Promise((resolve) => {
    let buf = path.leftover;
    let settled = false;
    const finish = (r: AttemptResult<FlightVerdict>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const check = () => {
      const v = readFlight(buf);
      if (v.kind !== 'more') finish(v.kind === 'alert' ? { kind: 'rejected', reason: 'alert in answer to a TLS 1.2 ClientHello', local: false } : { kind: 'accepted', value: v });
      else if (buf.length > MAX_FLIGHT) finish({ kind: 'accepted', value: { kind: 'garbage', detail: `no ServerHelloDone in the first ${MAX_FLIGHT} bytes` } });
    };
    const timer = setTimeout(() => finish({ kind: 'rejected', reason: `no ServerHelloDone within ${t.tlsTimeoutMs} ms`, local: false }), t.tlsTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      check();
    });
    socket.on('error', () => finish({ kind: 'rejected', reason: 'connection reset after the ClientHello', local: false }));
    socket.on('close', () => finish({ kind: 'rejected', reason: 'connection closed after the ClientHello', local: false }));
    socket.write(tls12ClientHello(t.servername));
    check();
  });
}
