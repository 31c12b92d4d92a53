// What one listener serves: mxprobe's probe at the chosen level (TLS, chain, names, EHLO before
// and after TLS), MAIL before STARTTLS (530 when TLS is required), one handshake per protocol
// version, one offering only ciphers outside the configured list, the leaf per key type, and the
// TLS 1.2 CertificateRequest. One connection at a time (an AttemptRunner with one slot): the
// listeners of a host are probed side by side, each gently.
import { probe } from '../probe.js';
import { tlsAttempt } from '../scan/attempt.js';
import { candidatesFor, cipherOption } from '../scan/cipher-info.js';
import { scanCertificates } from '../scan/certificates.js';
import { scanSslv2, scanSslv3 } from '../scan/legacy.js';
import { AttemptRunner } from '../scan/runner.js';
import type { ScanTarget } from '../scan/target.js';
import { DEFAULT_TIMEOUTS } from '../smtp/limits.js';
import { defaultEhloName } from '../smtp/ehlo-name.js';
import { isIP } from '../ip.js';
import type { Level, ProbeOptions } from '../types.js';
import { ciphersOutside } from './cipher-members.js';
import type { ServedFacts, SmtpdTlsSettings } from './types.js';

export interface ServedOptions {
  /** The name the certificate must carry (myhostname): SNI and name check. */
  servername: string;
  level: Level;
  ca?: string;
  ehlo?: string;
  warnDays?: number;
  critDays?: number;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  tlsTimeoutMs?: number;
  signal?: AbortSignal;
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** `[address]:port`: no MX lookup, IPv6 literals included. */
const destination = (address: string, port: number) => `[${address}]:${port}`;

export async function probeServed(address: string, port: number, mode: 'starttls' | 'implicit', settings: SmtpdTlsSettings, o: ServedOptions): Promise<ServedFacts> {
  const started = performance.now();
  const dest = destination(address, port);
  const base: ProbeOptions = {
    servername: o.servername, ca: o.ca, ehlo: o.ehlo, warnDays: o.warnDays, critDays: o.critDays,
    connectTimeoutMs: o.connectTimeoutMs, timeoutMs: o.timeoutMs, bannerTimeoutMs: o.timeoutMs, tlsTimeoutMs: o.tlsTimeoutMs, signal: o.signal,
    ...(mode === 'implicit' ? { implicit: true } : { starttls: true }),
  };
  // A listener configured without TLS is probed opportunistically: its verdict is the comparison's.
  const main = await probe(dest, { ...base, level: settings.level === 'none' ? 'may' : o.level, quitAfter: 'tls' });
  let connections = 1;
  let plaintextMail: ServedFacts['plaintextMail'] = null;
  if (mode === 'starttls' && !main.error?.phase.match(/^(connect|banner)$/)) {
    // RFC 3207 §4: a server that requires TLS answers MAIL before STARTTLS with 530.
    const plain = await probe(dest, { ...base, level: 'none', quitAfter: 'mail', from: '' });
    connections++;
    const reply = plain.error?.phase === 'mail' ? plain.error.reply : plain.smtp.replies.find((r) => r.command.startsWith('MAIL'));
    if (reply) plaintextMail = { code: reply.code, text: reply.text.split('\n')[0] };
  }
  const facts: ServedFacts = {
    probe: main, plaintextMail, protocols: {}, cipherOutsideGrade: null, leaves: { ecdsa: null, rsa: null },
    // The handshake trace reads the server's flight, TLS 1.3's encrypted one included
    // (src/tls/handshake-trace.ts): null only when no handshake completed.
    clientCertRequested: main.tls?.certificateRequested ?? null, connections, timingMs: 0,
  };
  const tlsReachable = main.tls !== null || (main.error !== null && ['handshake', 'ehlo-tls'].includes(main.error.phase));
  if (tlsReachable) {
    const runner = new AttemptRunner({ perHost: 1, signal: o.signal });
    const t: ScanTarget = {
      host: o.servername, address, port, mode,
      servername: isIP(o.servername) ? null : o.servername,
      ehlo: o.ehlo ?? defaultEhloName(),
      connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
      timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUTS.timeoutMs,
      bannerTimeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUTS.bannerTimeoutMs,
      tlsTimeoutMs: o.tlsTimeoutMs ?? DEFAULT_TIMEOUTS.tlsTimeoutMs,
    };
    const known = (r: { kind: string }) => (r.kind === 'accepted' ? true : r.kind === 'rejected' ? false : null);
    facts.protocols.SSLv2 = (await scanSslv2(runner, t, o.signal)).accepted;
    facts.protocols.SSLv3 = (await scanSslv3(runner, t, o.signal)).accepted;
    for (const v of TLS_VERSIONS) {
      const r = await runner.run(() => tlsAttempt(t, { minVersion: v, maxVersion: v, ciphers: cipherOption(candidatesFor(v)) }, () => true, o.signal));
      facts.protocols[v] = known(r);
    }
    const legacy = TLS_VERSIONS.filter((v) => v !== 'TLSv1.3' && facts.protocols[v]);
    if (legacy.length > 0) {
      const outside = await ciphersOutside(settings.ciphers.cipherlist, settings.ciphers.grade);
      if (outside.ciphers.length > 0) {
        const r = await runner.run(() => tlsAttempt(t, { minVersion: legacy[0], maxVersion: legacy[legacy.length - 1], ciphers: cipherOption(outside.ciphers) }, ({ socket }) => socket.getCipher().name, o.signal));
        facts.cipherOutsideGrade = r.kind === 'accepted' ? r.value : null;
      }
    }
    for (const c of await scanCertificates(runner, t, o.signal)) facts.leaves[c.requested] = c.leaf;
    facts.connections += runner.connections;
    if (runner.tripped) facts.probe.findings.push({ severity: 'warning', code: 'probe-incomplete', message: `stopped probing after repeated failures (${runner.tripped.message})` });
  }
  facts.timingMs = Math.round(performance.now() - started);
  return facts;
}
