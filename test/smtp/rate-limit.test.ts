// "Does this failure mean the server limits our connections?": one line per case, the replies
// real servers send (Postfix anvil and postscreen, Exim, Sendmail, Exchange, Gmail) and the
// failures that are no rate limit (a first refusal, a TLS failure, a 554).
import { describe, expect, it } from 'vitest';
import { asRateLimited, rateLimitReason, type FailureFacts } from '../../src/smtp/rate-limit.js';

const reply = (code: number, enhanced: string | null, text: string) => ({ code, enhanced, text });
const at = (phase: FailureFacts['phase'], r: ReturnType<typeof reply>): FailureFacts => ({ phase, code: 'smtp-reply', reply: r });

describe('rateLimitReason', () => {
  it.each<[string, FailureFacts, number, RegExp | null]>([
    ['Postfix anvil greeting', at('banner', reply(421, '4.7.0', 'mx.example Error: too many connections from 192.0.2.1')), 0, /^421 4\.7\.0 mx\.example Error: too many connections .*\(greeting\)$/],
    ['Exim smtp_accept_max', at('banner', reply(421, null, 'mx.example Too many concurrent SMTP connections; please try again later.')), 0, /^421 mx\.example Too many concurrent/],
    ['postscreen busy', at('banner', reply(421, '4.3.2', 'All server ports are busy')), 0, /ports are busy/],
    ['a bare 421 greeting on the first connection is the server\'s answer, not a limit', at('banner', reply(421, null, 'Service not available, closing transmission channel')), 0, null],
    ['a bare 421 greeting after greeted connections: a limit', at('banner', reply(421, null, 'Service not available, closing transmission channel')), 2, /^421 Service not available/],
    ['Sendmail rate limit at EHLO', at('ehlo', reply(421, '4.3.2', 'Connection rate limit exceeded.')), 3, /\(ehlo\)$/],
    ['Gmail 4.7.0 at STARTTLS', at('starttls', reply(421, '4.7.0', 'Try again later, closing connection.')), 0, /\(starttls\)$/],
    ['450 greeting with a limit text', at('banner', reply(450, null, 'too many sessions')), 0, /too many sessions/],
    ['421 at EHLO without a limit text: not a rate limit', at('ehlo', reply(421, '4.4.2', 'Timeout exceeded')), 0, null],
    ['Exchange concurrent connections', at('banner', reply(421, '4.3.2', 'The maximum number of concurrent server connections has exceeded a limit, closing transmission channel')), 0, /exceeded a limit/],
    ['554 greeting: a permanent refusal', at('banner', reply(554, '5.7.1', 'too many connections, go away')), 5, null],
    ['454 to STARTTLS: TLS unavailable, not a limit', at('starttls', reply(454, '4.7.0', 'TLS not available due to local problem')), 5, null],
    ['refused on the first connection: nothing listens', { phase: 'connect', code: 'refused' }, 0, null],
    ['refused after greeted connections', { phase: 'connect', code: 'refused' }, 12, /^connection refused after 12 greeted connections$/],
    ['reset before the greeting after one greeting', { phase: 'banner', code: 'reset' }, 1, /^connection reset before the greeting after 1 greeted connection$/],
    ['closed before the greeting after greetings', { phase: 'banner', code: 'closed' }, 4, /closed before the greeting/],
    ['a TLS failure is never a rate limit', { phase: 'handshake', code: 'tls-handshake' }, 9, null],
    ['a timeout is not a rate limit', { phase: 'banner', code: 'timeout' }, 9, null],
    ['already classified', { phase: 'banner', code: 'rate-limited', reply: reply(421, null, 'busy') }, 0, /^421 busy$/],
  ])('%s', (_name, failure, earlierGreetings, expected) => {
    const why = rateLimitReason(failure, { earlierGreetings });
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });

  it('a 421 text that matches the limit words at EHLO is a limit even without 4.7.x', () => {
    expect(rateLimitReason(at('ehlo', reply(421, null, 'server busy, try again later')))).not.toBeNull();
  });
});

describe('asRateLimited', () => {
  it('keeps the phase and reply, re-codes, says why', () => {
    const r = reply(421, '4.7.0', 'too many connections');
    expect(asRateLimited({ phase: 'banner', code: 'smtp-reply', message: 'server refused the session: 421 ...', reply: r }, '421 4.7.0 too many connections (greeting)'))
      .toEqual({ phase: 'banner', code: 'rate-limited', message: 'rate-limited: 421 4.7.0 too many connections (greeting)', reply: r });
  });
});
