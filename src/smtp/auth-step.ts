// SMTP AUTH (RFC 4954) on an open session, after the EHLO inside TLS: choose the mechanism,
// run the SASL exchange, record AuthFacts. Credentials go only over TLS, unless the caller
// allowed plaintext for a connection that never tried TLS; after a failed STARTTLS, never.
// What we send is shown as <redacted> in the transcript and the replies, the server's
// challenges too (a SCRAM exchange seen whole allows an offline guess at the password), and
// the server's own text is scrubbed of anything we sent, in case it echoes it back.
import { ProbeError } from '../errors.js';
import type { AuthFacts, ProbeResult, SmtpReply } from '../types.js';
import type { ResolvedAuth } from '../submission-options.js';
import { authMechanisms } from './capabilities.js';
import { describeReply } from './reply.js';
import { chooseMechanism, createSaslClient, SaslError, type SaslClient } from './sasl.js';
import type { SmtpSession } from './session.js';

export const REDACTED = '<redacted>';

export interface AuthStepInput {
  session: SmtpSession;
  result: ProbeResult;
  auth: ResolvedAuth;
  timeoutMs: number;
  /** SCRAM client nonce (tests); a random one otherwise. */
  nonce?: string;
}

/** Runs AUTH and records result.smtp.auth; throws a ProbeError (phase auth) when not authenticated. */
export async function authenticate({ session, result, auth, timeoutMs, nonce }: AuthStepInput): Promise<AuthFacts> {
  const tlsUp = result.tls !== null;
  const facts: AuthFacts = {
    // Implicit TLS has no EHLO before TLS.
    offeredBeforeTls: result.mode === 'implicit' ? null : authMechanisms(result.smtp.ehlo),
    offeredAfterTls: result.smtp.ehloTls && tlsUp ? authMechanisms(result.smtp.ehloTls) : null,
    mechanism: null,
    plaintext: !tlsUp,
    reply: null,
    authenticated: false,
    serverVerified: null,
  };
  result.smtp.auth = facts;
  if (!tlsUp) refuseWithoutTls(result, auth);

  const offered = (tlsUp ? facts.offeredAfterTls : facts.offeredBeforeTls) ?? [];
  const mechanism = chooseMechanism(offered, auth.mechanism);
  if (!mechanism) {
    const where = tlsUp ? 'inside TLS' : 'without TLS';
    const message = offered.length === 0
      ? `server offers no AUTH ${where}`
      : `server offers AUTH ${offered.join(' ')} ${where}, ${auth.mechanism === 'auto' ? 'none of which mxprobe speaks' : `not ${auth.mechanism}`}`;
    throw new ProbeError('auth', 'auth-not-offered', message);
  }
  facts.mechanism = mechanism;
  if (!tlsUp) result.findings.push({ severity: 'warning', code: 'auth-plaintext', message: `AUTH ${mechanism} credentials sent without TLS (--auth-insecure)` });

  const client = createSaslClient(mechanism, { user: auth.user, password: auth.password }, nonce);
  const exchange = new RedactedExchange(session, auth, mechanism, timeoutMs);
  const final = await exchange.run(client);
  facts.reply = final;
  if (final.code !== 235) {
    throw new ProbeError('auth', 'smtp-reply', `AUTH ${mechanism} refused: ${describeReply(final)}`, final);
  }
  facts.serverVerified = saslStep(() => client.finish());
  facts.authenticated = true;
  return facts;
}

/** No credentials without TLS, unless allowed; never after STARTTLS was tried and failed. */
function refuseWithoutTls(result: ProbeResult, auth: ResolvedAuth): void {
  const starttls = result.smtp.starttls;
  if (result.mode === 'starttls' && starttls.reply && starttls.reply.code !== 220) {
    throw new ProbeError('auth', 'auth-needs-tls', `STARTTLS failed (${describeReply(starttls.reply)}): no credentials are sent over this connection`);
  }
  if (!auth.insecure) {
    const why = result.mode === 'plain' ? 'TLS was not attempted (level none)' : 'the server does not offer STARTTLS';
    throw new ProbeError('auth', 'auth-needs-tls', `${why}: no credentials are sent without TLS (--auth-insecure allows it)`);
  }
}

/** A SaslError is the server's fault: a malformed challenge, or a server that failed to prove itself. */
function saslStep<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof SaslError) throw saslProbeError(err);
    throw err;
  }
}

const saslProbeError = (err: SaslError) =>
  new ProbeError('auth', err.kind === 'server-unverified' ? 'auth-server-unverified' : 'protocol-violation', err.message);

/** The AUTH command and its 334 round trips, with every secret kept out of transcript, replies and errors. */
class RedactedExchange {
  /** Everything we sent that reveals the secret, in the forms a server could echo. */
  private readonly secrets: string[];

  constructor(private readonly session: SmtpSession, auth: ResolvedAuth, private readonly mechanism: string, private readonly timeoutMs: number) {
    this.secrets = [auth.password, Buffer.from(auth.password).toString('base64')];
  }

  async run(client: SaslClient): Promise<SmtpReply> {
    const initial = client.initialResponse();
    // RFC 4954 §4: a zero-length initial response is sent as "=".
    const line = `AUTH ${this.mechanism}${initial ? ` ${initial.length ? this.encode(initial) : '='}` : ''}`;
    this.send(line, `AUTH ${this.mechanism}${initial ? ` ${REDACTED}` : ''}`);
    for (let rounds = 0; ; rounds++) {
      const reply = await this.read();
      if (reply.code !== 334) return this.record(`AUTH ${this.mechanism}`, this.scrub(reply));
      this.record(`AUTH ${this.mechanism}`, { code: 334, enhanced: null, text: REDACTED });
      // RFC 4954 §4: the challenge is base64; anything else ends the exchange with "*".
      const challenge = reply.text.trim();
      if (rounds >= 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(challenge)) {
        await this.cancel();
        throw new ProbeError('auth', 'protocol-violation', rounds >= 4 ? `more than 4 AUTH ${this.mechanism} challenges` : `AUTH ${this.mechanism} challenge is not base64`);
      }
      let response: Buffer;
      try {
        response = await client.respond(Buffer.from(challenge, 'base64'));
      } catch (err) {
        if (!(err instanceof SaslError)) throw err;
        await this.cancel();
        throw saslProbeError(err);
      }
      this.send(response.length ? this.encode(response) : '', response.length ? REDACTED : '(empty response)');
    }
  }

  private encode(data: Buffer): string {
    const b64 = data.toString('base64');
    this.secrets.push(b64);
    return b64;
  }

  private send(line: string, label: string): void {
    this.session.send([{ line, phase: 'auth', label, step: 'AUTH' }]);
  }

  private read(): Promise<SmtpReply> {
    return this.session.read('AUTH', 'auth', this.timeoutMs, undefined, (l) => (/^334(?:[ -]|$)/.test(l) ? `334 ${REDACTED}` : this.scrubText(l)));
  }

  /** RFC 4954 §4: "*" cancels the exchange; the server answers 501. */
  private async cancel(): Promise<void> {
    this.send('*', '*');
    this.record('*', this.scrub(await this.read()));
  }

  private record(command: string, reply: SmtpReply): SmtpReply {
    this.session.replies.push({ command, ...reply });
    return reply;
  }

  private scrub(reply: SmtpReply): SmtpReply {
    return { ...reply, text: this.scrubText(reply.text) };
  }

  private scrubText(text: string): string {
    let out = text;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
    return out;
  }
}
