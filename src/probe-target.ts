import { ProbeError } from './errors.js';
import type { Mode, Phase, ProbeResult } from './types.js';
import { SCHEMA_VERSION } from './types.js';
import type { ResolvedOptions } from './options.js';
import type { SessionClock } from './smtp/session.js';
import { Transcript } from './smtp/transcript.js';
import { judge } from './verdict.js';
import { diagnoseSilentBanner } from './tls/diagnose.js';
import { Conversation } from './conversation.js';
import { attachPolicies, type HostPolicies } from './policy-dns/index.js';
import { asRateLimited, rateLimitReason } from './smtp/rate-limit.js';
import { submissionOf } from './submission-options.js';
import { compareRelay, withoutClientCertificate } from './relay-comparison.js';

/** One concrete connection to probe. */
export interface ConnectionTarget {
  destination: string;
  nexthop: string;
  mx: { host: string; preference: number } | null;
  host: string;
  address: string;
  port: number;
  mode: Mode;
  resolveMs: number | null;
  /** TLSA / MTA-STS / TLSRPT looked up for this host (dane levels, --mta-sts, --tlsrpt). */
  policies?: HostPolicies;
  /** Earlier connections of this run to the same address that were greeted (rate-limit evidence). */
  earlierGreetings?: number;
  /** The local address to connect from (--source-address), chosen by the run engine. */
  sourceAddress?: string;
}

export function emptyResult(t: Omit<ConnectionTarget, 'address'> & { address: string | null }, o: ResolvedOptions): ProbeResult {
  return {
    schemaVersion: SCHEMA_VERSION,
    destination: t.destination,
    nexthop: t.nexthop,
    mx: t.mx,
    host: t.host,
    address: t.address,
    port: t.port,
    mode: o.level === 'none' ? 'plain' : t.mode,
    level: o.level,
    status: 'unknown',
    findings: [],
    error: null,
    smtp: { banner: null, ehlo: [], starttls: { offered: false, reply: null }, ehloTls: null, replies: [] },
    tls: null,
    certificates: [],
    verification: null,
    postfix: { effectiveLevel: o.level, deliver: false, plaintext: false, connectionClass: null, reason: 'error' },
    timingMs: { resolve: t.resolveMs, connect: null, banner: null, ehlo: null, starttls: null, handshake: null, total: 0 },
  };
}

/** Probe one (host, address, port): connect, converse, judge. Never throws for the server's faults. */
export async function probeConnection(target: ConnectionTarget, o: ResolvedOptions): Promise<ProbeResult> {
  const started = performance.now();
  const result = emptyResult(target, o);
  if (target.sourceAddress) result.sourceAddress = target.sourceAddress;
  const transcript = o.transcript ? new Transcript(started) : null;
  const clock = deadlineClock(started, o.deadlineMs);
  const conversation = new Conversation(target, o, result, transcript, clock, started);
  try {
    await conversation.run();
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    result.error = o.signal?.aborted ? { phase: err.phase, code: 'aborted', message: 'probe aborted' } : err.toInfo();
    // Only a port that sent nothing at all may be speaking TLS (a slow banner is still SMTP).
    if (err.code === 'timeout' && err.phase === 'banner' && result.mode !== 'implicit' && !o.signal?.aborted && conversation.receivedBytes === 0) {
      // A handshake takes about 3 round trips; the TCP connect measured one.
      const budget = Math.min(o.tlsTimeoutMs, Math.max(300, 4 * (result.timingMs.connect ?? 100)), clock.left());
      if (budget > 0 && (await diagnoseSilentBanner(target.address, target.port, budget, target.sourceAddress))) {
        result.error = { phase: 'banner', code: 'implicit-tls-suspected', message: `no SMTP greeting within ${o.bannerTimeoutMs} ms, but the port completes a TLS handshake: it speaks implicit TLS (try --implicit or smtps://)` };
      }
    }
    await conversation.endAfterError(err);
  } finally {
    conversation.close();
  }
  if (target.policies) attachPolicies(result, target.policies, conversation.peerChain, o);
  // A session cap or rate limit is no TLS verdict: say so (src/smtp/rate-limit.ts).
  const limited = result.error && rateLimitReason(result.error, { earlierGreetings: target.earlierGreetings ?? 0 });
  if (result.error && limited) result.error = asRateLimited(result.error, limited);
  if (transcript) result.smtp.transcript = transcript.entries;
  result.timingMs.total = Math.round(performance.now() - started);
  // compareRelay: a second connection, after this one closed (one at a time to the server).
  if (submissionOf(o).compareRelay && !o.signal?.aborted) await compareRelay(result, () => probeConnection(target, withoutClientCertificate(o, clock.left())));
  const { status, findings, postfix } = judge(result, o);
  result.status = status;
  result.findings = findings;
  result.postfix = postfix;
  return result;
}

/** The timeout for each wait: the phase's own, capped by what is left of --deadline. */
function deadlineClock(started: number, deadlineMs: number | undefined): SessionClock & { left(): number } {
  return {
    left: () => (deadlineMs === undefined ? Infinity : Math.floor(deadlineMs - (performance.now() - started))),
    budget(phaseTimeoutMs: number, phase: Phase): number {
      if (deadlineMs === undefined) return phaseTimeoutMs;
      const left = Math.floor(deadlineMs - (performance.now() - started));
      if (left <= 0) throw new ProbeError(phase, 'timeout', `probe deadline of ${deadlineMs} ms exceeded`);
      return Math.min(phaseTimeoutMs, left);
    },
  };
}

