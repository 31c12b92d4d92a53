// Heartbleed (CVE-2014-0160) as sslscan tests it, per accepted protocol <= TLS 1.2: a hello with
// the heartbeat extension (RFC 6520), and after the server's ServerHelloDone a HeartbeatRequest
// that claims 16384 bytes and carries none, followed by an honest one (raw-hello.ts
// heartbleedRecords). A heartbeat response bigger than the honest request's echo is memory the
// server leaked. No response, an alert or a close: not vulnerable.
import type { ScanHeartbleed, ScanProtocolName } from './types.js';
import { CONTENT } from '../tls/records.js';
import { candidatesFor, keyExchangeOf } from './cipher-info.js';
import { rawHelloAttempt } from './raw-attempt.js';
import { clientHello, heartbleedRecords, VERSION } from './raw-hello.js';
import type { AttemptRunner } from './runner.js';
import { notTested } from './untested.js';
import type { ScanTarget } from './target.js';

/** The honest request's response: type, length, 16 bytes of payload, at least 16 of padding. */
const HONEST_RESPONSE_MAX = 3 + 16 + 16 + 64;
/** How long a server that ignores heartbeats is given to answer: a vulnerable one answers at once. */
const WAIT_MS = 1_500;

export async function scanHeartbleed(runner: AttemptRunner, t: ScanTarget, protocol: Exclude<ScanProtocolName, 'SSLv2' | 'SSLv3' | 'TLSv1.3'>, signal?: AbortSignal): Promise<ScanHeartbleed & { untestedReason: string | null }> {
  const version = VERSION[protocol];
  const hello = clientHello({ version, suites: candidatesFor(protocol).map((c) => c.wire), servername: t.servername, heartbeat: true });
  const r = await runner.run(() => rawHelloAttempt(t, hello, {
    until: 'done', keyExchangeOf, signal,
    then: async (flight, socket, reader): Promise<boolean | string> => {
      if (flight.kind !== 'hello' || !flight.done || flight.hello.version !== version) return `no ${protocol} handshake to send the heartbeat in`;
      socket.write(heartbleedRecords(version));
      const deadline = performance.now() + Math.min(WAIT_MS, t.tlsTimeoutMs);
      for (;;) {
        const rec = await reader.next(Math.max(0, deadline - performance.now()));
        if (typeof rec === 'string' || 'sslv2' in rec) return false;
        if (rec.type === CONTENT.heartbeat) return rec.body.length > HONEST_RESPONSE_MAX;
        if (rec.type === CONTENT.alert) return false;
      }
    },
  }), 10);
  if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') return { protocol, vulnerable: null, untestedReason: notTested(r, runner) };
  if (r.kind === 'rejected') return { protocol, vulnerable: null, untestedReason: `no ${protocol} handshake: ${r.reason}` };
  if (typeof r.value === 'string') return { protocol, vulnerable: null, untestedReason: r.value };
  return { protocol, vulnerable: r.value, untestedReason: null };
}
