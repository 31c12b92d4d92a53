// One answer to "does this failure mean the server limits our connections?", for the scan's
// adaptive runner and the probe's run engine alike: then the right reaction is to come back
// slower, and the right report is `rate-limited`, never "no STARTTLS" or "TLS failed" (the
// server said nothing about TLS). Pure: the failure and what came before it in, a reason out.
import type { ErrorCode, Phase, ProbeErrorInfo, SmtpReply } from '../types.js';

export interface FailureFacts {
  phase: Phase;
  code: ErrorCode;
  reply?: SmtpReply | null;
}

export interface ConnectionHistory {
  /** Earlier connections to the same address (this run) that got a greeting. */
  earlierGreetings: number;
}

/**
 * What servers say when they cap sessions or rates: Postfix anvil "421 4.7.0 … too many
 * connections from …", postscreen "421 4.3.2 All server ports are busy", Exim "421 … Too many
 * concurrent SMTP connections; please try again later", Sendmail "421 4.3.2 Connection rate limit
 * exceeded", Exchange "421 4.3.2 The maximum number of concurrent server connections has exceeded
 * a limit", Gmail "421 4.7.0 Try again later".
 */
const LIMIT_TEXT = /too many|connection (rate|limit)|rate limit|limit exceeded|exceeded a limit|ports are busy|server busy|too busy|try again later|concurrent|overload/i;

/** Before the session exists (greeting) or before TLS: the phases a session cap shows up in. */
const SESSION_PHASES: ReadonlySet<Phase> = new Set(['connect', 'banner', 'ehlo', 'starttls']);

function replyLine(r: SmtpReply): string {
  return `${r.code}${r.enhanced ? ` ${r.enhanced}` : ''} ${r.text.split('\n')[0]}`.trim();
}

/**
 * Why `failure` means "rate-limited" (one line), or null when it does not.
 * - 421 as the greeting (RFC 5321 §3.1 / §4.2.3: the session is refused for now) that names a
 *   limit, or that follows greeted connections to the same address.
 * - 421 or any 4xx with a limit text before TLS (EHLO, STARTTLS).
 * - Connection refused, reset or closed before the greeting, once earlier connections to the
 *   same address were greeted: the port is open, so the server (or a firewall's connlimit)
 *   turned this one away. The same failure on the first connection is not a rate limit.
 */
export function rateLimitReason(failure: FailureFacts, history: ConnectionHistory = { earlierGreetings: 0 }): string | null {
  if (failure.code === 'rate-limited') return failure.reply ? replyLine(failure.reply) : 'rate-limited';
  const reply = failure.reply;
  if (reply && SESSION_PHASES.has(failure.phase)) {
    // A bare 421 greeting on the first connection may be a server going down or a block list
    // aimed at us: that is the server's answer, a verdict. It is a limit when it says so, or
    // when the same address greeted us before in this run.
    if (reply.code === 421 && failure.phase === 'banner' && (LIMIT_TEXT.test(reply.text) || history.earlierGreetings > 0)) return `${replyLine(reply)} (greeting)`;
    if (reply.code >= 400 && reply.code < 500 && LIMIT_TEXT.test(reply.text)) return `${replyLine(reply)} (${failure.phase})`;
    return null;
  }
  if (history.earlierGreetings > 0 && (failure.phase === 'connect' || failure.phase === 'banner')) {
    const after = `after ${history.earlierGreetings} greeted connection${history.earlierGreetings === 1 ? '' : 's'}`;
    if (failure.code === 'refused') return `connection refused ${after}`;
    if (failure.code === 'reset') return `connection reset before the greeting ${after}`;
    if (failure.code === 'closed') return `connection closed before the greeting ${after}`;
  }
  return null;
}

/** The failure re-coded as `rate-limited`, its phase and reply kept, the reason in the message. */
export function asRateLimited(failure: ProbeErrorInfo, reason: string): ProbeErrorInfo {
  const info: ProbeErrorInfo = { phase: failure.phase, code: 'rate-limited', message: `rate-limited: ${reason}` };
  if (failure.reply) info.reply = failure.reply;
  return info;
}
