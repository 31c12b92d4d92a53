// What needs hand-built ClientHellos beyond cipher picks: SSLv2 and SSLv3 (OpenSSL 3 cannot send
// them), and the TLS <= 1.2 ServerHello facts Node does not expose (renegotiation_info,
// compression method).
import type { ScanCipher, ScanProtocol, ScanProtocolName } from './types.js';
import { alertText, isServerFailure } from '../tls/alerts.js';
import { gradeOf } from './cipher-info.js';
import { rawHelloAttempt } from './raw-attempt.js';
import { clientHello, SSL3_CIPHERS, sslv2ClientHello, sslv3ClientHello, VERSION } from './raw-hello.js';
import type { AttemptRunner } from './runner.js';
import type { ScanTarget } from './target.js';
import { CHAIN_PRIORITY } from './ciphers.js';
import { CIPHERS } from './cipher-info.js';
import { notTested } from './untested.js';

const untestedProtocol = (protocol: ScanProtocolName, candidates: number, reason: string): ScanProtocol => ({
  protocol, accepted: null, ciphers: [], serverOrder: null, complete: false, candidates, untested: [], untestedReason: reason,
});

export async function scanSslv2(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<ScanProtocol> {
  const r = await runner.run(() => rawHelloAttempt(t, sslv2ClientHello(), { until: 'hello', signal }));
  if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') return untestedProtocol('SSLv2', 0, notTested(r, runner));
  const accepted = r.kind === 'accepted' && r.value.kind === 'sslv2-hello';
  return { protocol: 'SSLv2', accepted, ciphers: [], serverOrder: null, complete: true, candidates: 0, untested: [], untestedReason: null };
}

function ssl3Cipher(id: number): ScanCipher | null {
  const row = SSL3_CIPHERS.find((c) => c[0] === id);
  if (!row) return null;
  const [, name, encryption, kx, au] = row;
  const bits = /\((\d+)\)/.exec(encryption);
  return {
    name, standardName: '', id: `0x${(id >> 8).toString(16).padStart(2, '0').toUpperCase()},0x${(id & 0xff).toString(16).padStart(2, '0').toUpperCase()}`,
    bits: bits ? Number(bits[1]) : 0, keyExchange: kx, authentication: au, grade: gradeOf(name, encryption), anonymous: au === 'None', keyExchangeGroup: null,
  };
}

/** SSLv3 by elimination with raw hellos: a ServerHello with version 3.0 is an acceptance. */
export async function scanSslv3(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<ScanProtocol> {
  let remaining = SSL3_CIPHERS.map((c) => c[0]);
  const ciphers: ScanCipher[] = [];
  let accepted: boolean | null = false;
  let reason: string | null = null;
  while (remaining.length > 0) {
    const offer = remaining;
    const r = await runner.run(() => rawHelloAttempt(t, sslv3ClientHello(offer), { until: 'hello', signal }), ciphers.length ? CHAIN_PRIORITY : 0);
    if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') {
      reason = notTested(r, runner);
      break;
    }
    if (r.kind === 'accepted' && r.value.kind === 'alert' && isServerFailure(r.value.alert)) {
      reason = `the server failed the handshake (${alertText(r.value.alert)})`;
      break;
    }
    if (r.kind !== 'accepted' || r.value.kind !== 'hello' || r.value.hello.version !== 0x0300) break;
    const picked = r.value.hello.cipher;
    if (!offer.includes(picked)) break;
    accepted = true;
    const c = ssl3Cipher(picked);
    if (c) ciphers.push(c);
    remaining = remaining.filter((id) => id !== picked);
  }
  if (reason !== null && ciphers.length === 0) return untestedProtocol('SSLv3', SSL3_CIPHERS.length, reason);
  const untested = reason !== null ? remaining.map((id) => SSL3_CIPHERS.find((c) => c[0] === id)![1]) : [];
  return { protocol: 'SSLv3', accepted, ciphers, serverOrder: null, complete: untested.length === 0, candidates: SSL3_CIPHERS.length, untested, untestedReason: untested.length ? reason : null };
}

export interface HelloExtensions {
  secureRenegotiation: boolean | null;
  compression: 'none' | 'deflate' | null;
  /** Why there is no answer (null values above), when the server gave none. */
  untestedReason: string | null;
}

/**
 * renegotiation_info echoed (RFC 5746 §3.6) and the compression chosen when DEFLATE is offered
 * first, from a raw TLS 1.2 hello with every suite: any server of TLS 1.0-1.2 answers it.
 */
export async function scanHelloExtensions(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<HelloExtensions> {
  const suites = CIPHERS.filter((c) => c.minProtocol !== 'TLSv1.3').map((c) => c.wire);
  const hello = clientHello({ version: VERSION['TLSv1.2'], suites, servername: t.servername, compression: [0x01, 0x00] });
  const r = await runner.run(() => rawHelloAttempt(t, hello, { until: 'hello', signal }));
  if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') return { secureRenegotiation: null, compression: null, untestedReason: notTested(r, runner) };
  const h = r.kind === 'accepted' && r.value.kind === 'hello' ? r.value.hello : null;
  if (!h || h.version < VERSION.TLSv1 || h.version > VERSION['TLSv1.2']) {
    const why = r.kind === 'rejected' ? r.reason : r.kind === 'accepted' && r.value.kind === 'alert' ? alertText(r.value.alert) : 'no ServerHello';
    return { secureRenegotiation: null, compression: null, untestedReason: `not applicable: no TLS <= 1.2 (${why})` };
  }
  return { secureRenegotiation: h.extensions.has(0xff01), compression: h.compression === 1 ? 'deflate' : 'none', untestedReason: null };
}
