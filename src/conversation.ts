import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { ProbeError } from './errors.js';
import type { Level, Phase, ProbeResult, SmtpReply } from './types.js';
import type { ResolvedOptions } from './options.js';
import type { ConnectionTarget } from './probe-target.js';
import { SmtpSession, type PipelinedCommand, type SessionClock } from './smtp/session.js';
import type { Transcript } from './smtp/transcript.js';
import { diffCapabilities, hasCapability, parseEhloCapabilities } from './smtp/capabilities.js';
import { encodeData, testMessage } from './smtp/message.js';
import { describeReply, replyClass } from './smtp/reply.js';
import { secureContextFor } from './tls/context.js';
import { readPeer, sniFor } from './tls/peer.js';
import { settleTls13 } from './tls/settle.js';
import { attachPolicies } from './policy-dns/index.js';
import { effectiveLevel, mailAllowed, tlsRequired } from './levels.js';
import { submissionOf } from './submission-options.js';
import { submissionStep } from './smtp/submission-step.js';
import { mailParameters } from './smtp/requiretls.js';
import { clientCertificateFacts } from './tls/client-certificate.js';

/**
 * One SMTP conversation, as a sending MTA has it: banner, EHLO, STARTTLS (or
 * implicit TLS), EHLO again, then MAIL/RCPT/DATA as asked, QUIT. Facts go into
 * the result as they are learned; failures are thrown as ProbeError with their
 * phase. Postfix's rules decide when to stop before MAIL.
 */
/** When a STARTTLS port that has not greeted us is reported as silent (ProbeOptions.onSilentGreeting). */
export const SILENT_GREETING_MS = 5000;

export class Conversation {
  private session: SmtpSession | null = null;
  /** MAIL accepted and the transaction not finished: RSET before QUIT. */
  private inTransaction = false;
  private quitSent = false;
  private onAbort: (() => void) | null = null;
  private mark: number;
  /** The chain as served (matched against TLSA records at the dane levels). */
  peerChain: X509Certificate[] = [];

  constructor(
    private readonly target: ConnectionTarget,
    private readonly o: ResolvedOptions,
    private readonly result: ProbeResult,
    private readonly transcript: Transcript | null,
    private readonly clock: SessionClock,
    started: number,
  ) {
    this.mark = started;
  }

  get receivedBytes(): number {
    return this.session?.receivedBytes ?? 0;
  }

  /** ms since the last lap, for timingMs. */
  private lap(): number {
    const now = performance.now();
    const ms = Math.round((now - this.mark) * 10) / 10;
    this.mark = now;
    return ms;
  }

  async run(): Promise<void> {
    const { o, result, target } = this;
    // The DNS policies decide the level before TLS is up (dane without usable TLSA is may).
    if (target.policies) attachPolicies(result, target.policies, [], o);
    const s = (this.session = await SmtpSession.connect(target.address, target.port, this.transcript, this.clock, o.connectTimeoutMs, o.signal, target.sourceAddress));
    result.timingMs.connect = this.lap();
    this.onAbort = () => s.close();
    o.signal?.addEventListener('abort', this.onAbort, { once: true });

    if (result.mode === 'implicit') {
      const secure = await s.startImplicitTls(this.upgradeOptions('handshake'));
      this.recordTls(secure);
      result.timingMs.handshake = this.lap();
    }

    // A silent port may be waiting for a TLS ClientHello (implicit TLS without --implicit): the
    // caller hears of it early, but nothing is sent — postscreen counts a pre-greet as a bot.
    const silent = o.onSilentGreeting && result.mode === 'starttls'
      ? setTimeout(() => o.onSilentGreeting!({ host: target.host, address: target.address, port: target.port }), SILENT_GREETING_MS)
      : null;
    const banner = await s.read('greeting', 'banner', o.bannerTimeoutMs).finally(() => silent && clearTimeout(silent));
    result.smtp.banner = { code: banner.code, text: banner.text };
    result.timingMs.banner = this.lap();
    if (banner.code !== 220) throw new ProbeError('banner', 'smtp-reply', `server refused the session: ${describeReply(banner)}`, banner);

    const caps = await this.ehlo('ehlo');
    result.smtp.ehlo = caps;
    // Reported at every level, level none included (there it is just not used).
    if (result.mode !== 'implicit') result.smtp.starttls.offered = hasCapability(caps, 'STARTTLS');
    if (result.mode === 'implicit') result.smtp.ehloTls = caps;
    result.timingMs.ehlo = this.lap();
    if (o.quitAfter === 'ehlo') return this.quit();

    if (result.mode === 'starttls') {
      const upgraded = await this.startTls(caps);
      if (upgraded) {
        // RFC 3207 §4.2: forget everything learned before TLS and ask again.
        const capsTls = await this.ehlo('ehlo-tls');
        result.smtp.ehloTls = capsTls;
        result.smtp.capabilityChanges = diffCapabilities(caps, capsTls);
      }
    }

    // Postfix tears the session down when the level is not met; so do we, before any MAIL.
    if (!mailAllowed(result)) return this.quit();
    // AUTH (RFC 4954) and the REQUIRETLS check: after the level is met, before MAIL.
    await submissionStep({ session: s, result, submission: submissionOf(o), quitAfter: o.quitAfter, timeoutMs: o.timeoutMs });
    if (o.quitAfter === 'tls') return this.quit();
    await this.transaction();
  }

  private upgradeOptions(phase: Phase) {
    const { o, target } = this;
    return {
      servername: sniFor(o, target.host),
      secureContext: secureContextFor({
        ca: o.ca, appendCa: o.appendCa, ciphers: o.ciphers, minVersion: o.minVersion, maxVersion: o.maxVersion, clientCert: submissionOf(o).clientCert ?? undefined,
      }),
      timeoutMs: o.tlsTimeoutMs,
      phase,
      mode: this.result.mode,
      // The server's signature algorithm and CertificateRequest: facts openssl s_client and
      // posttls-finger show, which Node 20 does not expose (src/tls/handshake-trace.ts).
      trace: o.handshakeTrace,
    };
  }

  /** EHLO, or HELO when EHLO is refused (RFC 5321 §4.1.4 allows the fallback). */
  private async ehlo(phase: Phase): Promise<string[]> {
    const s = this.session!;
    const reply = await s.command(`EHLO ${this.o.ehlo}`, phase, this.o.timeoutMs);
    if (reply.code === 250) return parseEhloCapabilities(reply.text);
    if (replyClass(reply.code) === 5 && reply.code !== 554) {
      const helo = await s.command(`HELO ${this.o.ehlo}`, phase, this.o.timeoutMs);
      if (helo.code === 250) {
        this.result.smtp.heloFallback = true;
        return [];
      }
      throw new ProbeError(phase, 'smtp-reply', `HELO refused: ${describeReply(helo)}`, helo);
    }
    throw new ProbeError(phase, 'smtp-reply', `EHLO refused: ${describeReply(reply)}`, reply);
  }

  /** true when TLS is up; false when the level lets us go on in plaintext. */
  private async startTls(caps: string[]): Promise<boolean> {
    const { o, result } = this;
    const s = this.session!;
    const offered = hasCapability(caps, 'STARTTLS');
    result.smtp.starttls.offered = offered;
    if (!offered) {
      if (!tlsRequired(this.level)) return false;
      throw new ProbeError('starttls', 'starttls-not-offered', 'TLS is required, but was not offered by the server (no STARTTLS in the EHLO reply)');
    }
    const reply = await s.command('STARTTLS', 'starttls', o.timeoutMs);
    result.smtp.starttls.reply = reply;
    result.timingMs.starttls = this.lap();
    if (reply.code !== 220) {
      if (!tlsRequired(this.level)) return false;
      throw new ProbeError('starttls', 'starttls-refused', `STARTTLS refused: ${describeReply(reply)}`, reply);
    }
    const secure = await s.startTls(this.upgradeOptions('handshake'));
    this.recordTls(secure);
    result.timingMs.handshake = this.lap();
    await settleTls13(secure, result.timingMs.connect ?? result.timingMs.handshake, this.clock.budget(o.tlsTimeoutMs, 'handshake'));
    return true;
  }

  private recordTls(secure: TLSSocket): void {
    const { o, result, target } = this;
    const peer = readPeer(secure, o, target);
    result.tls = peer.tls;
    result.certificates = peer.certificates;
    result.verification = peer.verification;
    const { clientCert } = submissionOf(o);
    if (clientCert) result.tls.clientCertificate = clientCertificateFacts(clientCert, o.fingerprintDigest, null);
    this.peerChain = peer.chain;
    this.transcript?.add('==', `TLS established: ${peer.tls.protocol} ${peer.tls.cipher.standardName || peer.tls.cipher.name}${peer.tls.keyExchange?.group ? ` ${peer.tls.keyExchange.group}` : ''}, ${peer.chain.length} certificate(s)`);
    if (target.policies) attachPolicies(result, target.policies, peer.chain, o); // TLSA against the chain, before MAIL
  }

  /** The level Postfix applies: for dane levels, what the TLSA lookup decided. */
  private get level(): Level {
    return effectiveLevel(this.o.level, this.target.policies?.dane?.facts.effectiveLevel);
  }

  /**
   * MAIL, RCPT..., [DATA], pipelined when the server allows (RFC 2920). Every reply is checked
   * against its command as it is read (SmtpSession.read), and all of a group's replies are read
   * before any is acted on (RFC 2920 §3.2: "MUST check ALL statuses"): a server that answers
   * one command twice shifts the rest, and the shift shows at the latest at QUIT, whose only
   * reply is 221 (or as a reply after it).
   */
  private async transaction(): Promise<void> {
    const { o, result } = this;
    const s = this.session!;
    const caps = result.smtp.ehloTls ?? result.smtp.ehlo;
    const pipelining = o.pipelining && hasCapability(caps, 'PIPELINING');
    const commands: PipelinedCommand[] = [{ line: `MAIL FROM:<${o.from}>${mailParameters(submissionOf(o).requireTls)}`, phase: 'mail' }];
    if (o.quitAfter !== 'mail') for (const to of o.to) commands.push({ line: `RCPT TO:<${to}>`, phase: 'rcpt' });
    if (o.sendData) commands.push({ line: 'DATA', phase: 'data' });
    let replies: SmtpReply[];
    if (pipelining) {
      // Without DATA the whole tail goes in the same round trip: MAIL, RCPT..., RSET, QUIT
      // (QUIT last, RFC 2920 §3.1). A server that closes instead of answering RSET/QUIT costs
      // a finding, not the verdict; a reply out of step there is a protocol violation.
      const tail: PipelinedCommand[] = o.sendData ? [] : [{ line: 'RSET', phase: 'quit' }, { line: 'QUIT', phase: 'quit' }];
      s.send([...commands, ...tail]);
      if (tail.length) this.quitSent = true;
      replies = [];
      for (const c of commands) {
        const reply = await s.replyTo(c, o.timeoutMs);
        replies.push(reply);
        // RFC 5321 §3.8: after 421 the server closes; no later command gets a reply.
        if (reply.code === 421) break;
      }
      if (tail.length && replies.at(-1)?.code !== 421) await this.politely(() => this.readTail(tail));
    } else {
      replies = await this.oneByOne(commands);
    }
    const mail = replies[0];
    this.inTransaction = !this.quitSent && mail.code === 250;
    if (mail.code !== 250) throw new ProbeError('mail', 'smtp-reply', `MAIL FROM refused: ${describeReply(mail)}`, mail);
    const rcptReplies = replies.filter((_, i) => commands[i].phase === 'rcpt');
    const refused = rcptReplies.find((r) => replyClass(r.code) !== 2);
    const accepted = rcptReplies.some((r) => replyClass(r.code) === 2);
    // undefined when DATA was not sent (unpipelined, no recipient accepted)
    const dataReply = replies[commands.findIndex((c) => c.phase === 'data')];
    if (dataReply) {
      if (dataReply.code === 354) await this.sendMessage(accepted);
      else if (accepted) throw new ProbeError('data', 'smtp-reply', `DATA refused: ${describeReply(dataReply)}`, dataReply);
    }
    result.smtp.replies = s.replies;
    if (refused) throw new ProbeError('rcpt', 'smtp-reply', `RCPT TO refused: ${describeReply(refused)}`, refused);
    await this.quit();
  }

  /**
   * After 354: the message, or — when every RCPT was refused but a pipelined DATA was still
   * accepted — only the terminating dot, so nothing is delivered (RFC 2920 §3.1).
   */
  private async sendMessage(anyRecipient: boolean): Promise<void> {
    const { o } = this;
    const s = this.session!;
    const encoded = anyRecipient ? encodeData(o.data ?? testMessage(o.from, o.to, o.ehlo)) : Buffer.from('.\r\n');
    s.writeData(encoded, anyRecipient ? `<message, ${encoded.length} bytes>` : '.');
    const done = await s.read('message', 'data', o.timeoutMs, '<end of data>');
    this.inTransaction = false;
    if (anyRecipient && replyClass(done.code) !== 2) throw new ProbeError('data', 'smtp-reply', `message refused: ${describeReply(done)}`, done);
  }

  /** One command at a time; DATA only when a recipient was accepted, nothing after a refused MAIL. */
  private async oneByOne(commands: PipelinedCommand[]): Promise<SmtpReply[]> {
    const s = this.session!;
    const out: SmtpReply[] = [];
    for (const c of commands) {
      if (c.phase === 'data' && !out.slice(1).some((r) => replyClass(r.code) === 2)) break;
      const reply = await s.command(c.line, c.phase, this.o.timeoutMs);
      out.push(reply);
      if ((c.phase === 'mail' && reply.code !== 250) || reply.code === 421) break;
    }
    return out;
  }

  /** Replies to a pipelined RSET and QUIT; nothing may follow QUIT's 221. */
  private async readTail(tail: PipelinedCommand[]): Promise<void> {
    const s = this.session!;
    for (const c of tail) await s.replyTo(c, Math.min(this.o.timeoutMs, 5000));
    s.assertInStep(false);
  }

  /**
   * Run the closing exchange; a server that hangs up or stays silent there costs an info
   * finding, never the verdict. A reply out of step is different: it means the replies
   * before it may have been matched to the wrong commands, so it is the probe's error.
   */
  private async politely(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      if (!(err instanceof ProbeError) || err.code === 'protocol-violation') throw err;
      this.result.findings.push({ severity: 'info', code: 'quit-failed', message: `QUIT: ${err.message}` });
    } finally {
      if (this.session) this.result.smtp.replies = this.session.replies;
    }
  }

  /** RSET when a transaction is open, then QUIT (RFC 5321 §4.1.1.5, §4.1.1.10). */
  async quit(): Promise<void> {
    const s = this.session;
    if (!s || s.botched || this.quitSent) return;
    this.quitSent = true;
    const quitTimeout = Math.min(this.o.timeoutMs, 5000);
    await this.politely(async () => {
      if (this.inTransaction) await s.command('RSET', 'quit', quitTimeout);
      await s.command('QUIT', 'quit', quitTimeout);
      s.assertInStep(false);
    });
  }

  /** After a failure: QUIT only when the conversation is still in sync. */
  async endAfterError(err: ProbeError): Promise<void> {
    if (this.session) this.result.smtp.replies = this.session.replies;
    // (AUTH and REQUIRETLS refusals happen before anything is sent: the session is in sync.)
    const inSync = ['smtp-reply', 'starttls-not-offered', 'starttls-refused', 'auth-not-offered', 'auth-needs-tls', 'requiretls-not-offered'].includes(err.code);
    if (!inSync) return;
    try {
      await this.quit();
    } catch (late) {
      // The closing exchange found the replies out of step: the refusal read before may
      // belong to another command, so the violation is the error, the refusal its context.
      if (!(late instanceof ProbeError)) throw late;
      this.result.error = { ...late.toInfo(), message: `${late.message} (after: ${err.message})` };
    }
  }

  close(): void {
    // A caller's signal outlives the probe: leave no listener holding the session.
    if (this.onAbort) this.o.signal?.removeEventListener('abort', this.onAbort);
    this.session?.close();
  }
}

