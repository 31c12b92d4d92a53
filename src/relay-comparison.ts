// compareRelay: does the client certificate make the relay decision? The probe's session
// presented the certificate; a second session, the same in every other way, presents none
// and stops after RCPT. Both sessions' RCPT replies go into the result side by side
// (Postfix: permit_tls_clientcerts / check_ccert_access in smtpd_relay_restrictions).
import type { ResolvedOptions } from './options.js';
import type { CommandReply, Finding, ProbeResult, RelayComparison } from './types.js';
import { describeReply, replyClass } from './smtp/reply.js';

const rcptReplies = (r: ProbeResult): CommandReply[] => r.smtp.replies.filter((x) => x.command.startsWith('RCPT '));

/** The options of the second session: no certificate, nothing after RCPT, never a message. */
export function withoutClientCertificate(o: ResolvedOptions, deadlineLeftMs: number): ResolvedOptions {
  return {
    ...o,
    clientCert: null,
    compareRelay: false,
    data: undefined,
    sendData: false,
    quitAfter: 'rcpt',
    transcript: false,
    deadlineMs: Number.isFinite(deadlineLeftMs) ? Math.max(1, deadlineLeftMs) : o.deadlineMs,
  } as ResolvedOptions;
}

/**
 * Runs the session without the certificate (`probeWithout`) when the probe's own session got
 * as far as RCPT, and records both sides in result.relay with an info finding.
 */
export async function compareRelay(result: ProbeResult, probeWithout: () => Promise<ProbeResult>): Promise<void> {
  const withCertificate = rcptReplies(result);
  if (withCertificate.length === 0) return;
  const other = await probeWithout();
  const withoutCertificate = rcptReplies(other);
  const accepted = (replies: CommandReply[]) => replies.length > 0 && replies.every((r) => replyClass(r.code) === 2);
  const comparison: RelayComparison = {
    withCertificate,
    withoutCertificate,
    withoutCertificateError: withoutCertificate.length ? null : other.error,
    permittedByCertificate: withoutCertificate.length ? accepted(withCertificate) && !accepted(withoutCertificate) : null,
  };
  result.relay = comparison;
  result.findings.push(relayFinding(comparison));
}

function relayFinding(c: RelayComparison): Finding {
  const words = (replies: CommandReply[]) => replies.map((r) => describeReply(r)).join('; ');
  const without = c.withoutCertificate.length ? words(c.withoutCertificate) : `not reached (${c.withoutCertificateError?.message ?? 'no RCPT'})`;
  const verdict = c.permittedByCertificate === true ? 'the client certificate permits the relay'
    : c.permittedByCertificate === false ? 'the client certificate makes no difference to the relay' : 'not comparable';
  return { severity: 'info', code: 'relay-comparison', message: `${verdict}: RCPT with the certificate ${words(c.withCertificate)}; without it ${without}` };
}
