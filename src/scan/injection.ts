// STARTTLS command injection (CVE-2011-0411 class): "STARTTLS\r\nRSET\r\n" in one write. A
// correct server discards what followed STARTTLS in plaintext (RFC 3207 §4.2); a vulnerable one
// keeps it and answers RSET inside TLS. After the handshake we send EHLO and QUIT, one at a time:
// a correct server answers EHLO then QUIT (250, 221); a vulnerable one answers the injected RSET
// first, so the reply read after QUIT is EHLO's 250, not 221. No timing guess involved.
import { ProbeError } from '../errors.js';
import type { ScanFeatures } from './types.js';
import { ReplyReader } from '../smtp/reply-reader.js';
import type { AttemptResult } from './attempt.js';
import { EVERYTHING, readyToWrite } from './features.js';
import { tlsHandshake } from './handshake.js';
import { tryOpenTlsPath } from './open.js';
import type { AttemptRunner } from './runner.js';
import { notTested } from './untested.js';
import type { ScanTarget } from './target.js';

type Verdict = { result: ScanFeatures['starttlsInjection']; note?: string; untestedReason?: string };

async function injectionAttempt(t: ScanTarget, signal?: AbortSignal): Promise<AttemptResult<Verdict>> {
  const path = await tryOpenTlsPath(t, { starttlsWrite: 'STARTTLS\r\nRSET\r\n', signal });
  if (path instanceof ProbeError) {
    // Failing only once the pipelined STARTTLS was sent is the server's answer to it.
    if (path.phase === 'starttls' && path.code !== 'starttls-not-offered') return { kind: 'accepted', value: { result: null, note: `no TLS after the pipelined STARTTLS: ${path.message}` } };
    return { kind: 'unavailable', error: path };
  }
  if (path.leftover.length > 0) {
    path.socket.destroy();
    return { kind: 'accepted', value: { result: null, note: 'the server answered the pipelined RSET in plaintext before TLS (RFC 3207 §4.2: it should discard it)' } };
  }
  const hs = await tlsHandshake(path.socket, EVERYTHING, t);
  if (!hs.ok) return { kind: 'accepted', value: { result: null, note: `TLS handshake failed: ${hs.reason}` } };
  const reader = new ReplyReader(hs.socket, null);
  try {
    const read = () => reader.readReply({ phase: 'ehlo-tls', timeoutMs: t.timeoutMs, waitingFor: 'reply inside TLS' });
    // TLS 1.3: an EHLO written before the server's first ticket is processed waits on the server's
    // Nagle until our delayed ACK (DESIGN.md "Known Node 20 traps"): ~40 ms for nothing.
    if (hs.socket.getProtocol() === 'TLSv1.3' && !hs.session()) await readyToWrite(hs.socket, 20);
    hs.socket.write(`EHLO ${t.ehlo}\r\n`);
    await read();
    hs.socket.write('QUIT\r\n');
    const second = await read();
    if (second.code === 221) return { kind: 'accepted', value: { result: 'not-vulnerable' } };
    if (second.code === 250) return { kind: 'accepted', value: { result: 'vulnerable' } };
    return { kind: 'accepted', value: { result: null, note: `unexpected reply ${second.code} to QUIT inside TLS` } };
  } catch (err) {
    return { kind: 'accepted', value: { result: null, note: `no usable replies inside TLS: ${(err as Error).message}` } };
  } finally {
    reader.detach();
    hs.socket.destroy();
  }
}

export async function testStarttlsInjection(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<Verdict> {
  if (t.mode === 'implicit') return { result: null, untestedReason: 'not applicable: implicit TLS has no STARTTLS' };
  // The longest single attempt (two round trips inside TLS): started early, it stays off the critical path.
  const r = await runner.run(() => injectionAttempt(t, signal), 15);
  if (r.kind === 'accepted') return r.value;
  return { result: null, untestedReason: r.kind === 'rejected' ? r.reason : notTested(r, runner) };
}
