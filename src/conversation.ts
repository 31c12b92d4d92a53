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
import { submissionOf } from './submission-options.js';
import { submissionStep } from './smtp/submission-step.js';
import { mailParameters } from './smtp/requiretls.js';
import { clientCertificateFacts } from './tls/client-certificate.js';
import { attachPolicies, daneAllowsMail, effectiveLevel, isDaneLevel } from './policy-dns/index.js'; // issue 8

/**
 * One SMTP conversation, as a sending MTA has it: banner, EHLO, STARTTLS (or
 * implicit TLS), EHLO again, then MAIL/RCPT/DATA as asked, QUIT. Facts go into
 * the result as they are learned; failures are thrown as ProbeError with their
 * phase. Postfix's rules decide when to stop before MAIL.
 */
export class Conversation {
  private session: SmtpSession | null = null;
  /** MAIL accepted and the transaction not finished: RSET before QUIT. */
  private inTransaction = false;
  private quitSent = false;
  private onAbort: (() => void) | null = null;
  private mark: number;
  /** The chain as served (issue 8: matched against TLSA). */
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
    const s = (this.session = await SmtpSession.connect(target.address, target.port, this.transcript, this.clock, o.connectTimeoutMs, o.signal));
    result.timingMs.connect = this.lap();
    this.onAbort = () => s.close();
    o.signal?.addEventListener('abort', this.onAbort, { once: true });

    if (result.mode === 'implicit') {
      const secure = await s.startImplicitTls(this.upgradeOptions('handshake'));
      this.recordTls(secure);
      result.timingMs.handshake = this.lap();
    }

    const banner = await s.read('banner', o.bannerTimeoutMs, 'banner', true);
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

    if (!this.levelAllowsMail()) return this.quit();
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
      if (this.level === 'may') return false;
      throw new ProbeError('starttls', 'starttls-not-offered', 'TLS is required, but was not offered by the server (no STARTTLS in the EHLO reply)');
    }
    const reply = await s.command('STARTTLS', 'starttls', o.timeoutMs);
    result.smtp.starttls.reply = reply;
    result.timingMs.starttls = this.lap();
    if (reply.code !== 220) {
      if (this.level === 'may') return false;
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
    if (target.policies) attachPolicies(result, target.policies, peer.chain, o); // issue 8: TLSA vs the chain
  }

  /** The level Postfix applies: for dane levels, what the TLSA lookup decided (issue 8). */
  private get level(): Level {
    return effectiveLevel(this.o.level, this.target.policies?.dane?.facts.effectiveLevel);
  }

  /** Postfix tears the session down when the level is not met; so do we, before any MAIL. */
  private levelAllowsMail(): boolean {
    const { level } = this.o;
    const v = this.result.verification;
    if (level === 'none' || level === 'may') return true;
    if (isDaneLevel(level)) return daneAllowsMail(this.result); // issue 8
    if (!this.result.tls) return false;
    if (level === 'encrypt') return true;
    if (!v) return false;
    if (level === 'fingerprint') return v.fingerprintMatch === true;
    return v.trusted && v.hostnameMatch;
  }

  /** MAIL, RCPT..., [DATA], pipelined when the server allows (RFC 2920). */
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
      // (QUIT last, RFC 2920 §3.1). Its RSET/QUIT replies are read like QUIT's: a server that
      // closes instead of answering costs a finding, not the verdict.
      const tail: PipelinedCommand[] = o.sendData ? [] : [{ line: 'RSET', phase: 'quit' }, { line: 'QUIT', phase: 'quit' }];
      s.send([...commands, ...tail]);
      replies = [];
      for (const c of commands) replies.push(await s.replyTo(c, o.timeoutMs));
      if (tail.length) {
        this.quitSent = true;
        await this.politely(() => this.readTail(tail));
      }
    } else {
      replies = await this.oneByOne(commands);
    }
    const mail = replies[0];
    this.inTransaction = !this.quitSent && mail.code === 250;
    if (mail.code !== 250) throw new ProbeError('mail', 'smtp-reply', `MAIL FROM refused: ${describeReply(mail)}`, mail);
    const rcptReplies = replies.slice(1, 1 + (o.quitAfter === 'mail' ? 0 : o.to.length));
    const refused = rcptReplies.find((r) => replyClass(r.code) !== 2);
    const accepted = rcptReplies.some((r) => replyClass(r.code) === 2);
    const dataReply = o.sendData ? replies[commands.length] ?? replies[commands.length - 1] : undefined;
    if (o.sendData && dataReply && replies.length === commands.length) {
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
    const done = await s.read('data', o.timeoutMs, 'reply to end of DATA');
    s.replies.push({ command: '<end of data>', ...done });
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
      if (c.phase === 'mail' && reply.code !== 250) break;
    }
    return out;
  }

  /** Replies to a pipelined RSET and QUIT. */
  private async readTail(tail: PipelinedCommand[]): Promise<void> {
    const s = this.session!;
    for (const c of tail) {
      const reply = await s.replyTo(c, Math.min(this.o.timeoutMs, 5000));
      if (c.line === 'QUIT' && reply.code !== 221) this.result.findings.push({ severity: 'info', code: 'quit-reply', message: `unexpected reply to QUIT: ${describeReply(reply)}` });
    }
  }

  /** Run the closing exchange; its failure is an info finding, never the verdict. */
  private async politely(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      if (!(err instanceof ProbeError)) throw err;
      this.result.findings.push({ severity: 'info', code: 'quit-failed', message: `QUIT: ${err.message}` });
    } finally {
      if (this.session) this.result.smtp.replies = this.session.replies;
    }
  }

  /** RSET when a transaction is open, then QUIT; a bad reply to either is only a finding. */
  async quit(): Promise<void> {
    const s = this.session;
    if (!s || s.botched || this.quitSent) return;
    this.quitSent = true;
    const quitTimeout = Math.min(this.o.timeoutMs, 5000);
    await this.politely(async () => {
      if (this.inTransaction) await s.command('RSET', 'quit', quitTimeout);
      const reply = await s.command('QUIT', 'quit', quitTimeout);
      if (reply.code !== 221) this.result.findings.push({ severity: 'info', code: 'quit-reply', message: `unexpected reply to QUIT: ${describeReply(reply)}` });
    });
  }

  /** After a failure: QUIT only when the conversation is still in sync. */
  async endAfterError(err: ProbeError): Promise<void> {
    if (this.session) this.result.smtp.replies = this.session.replies;
    // (AUTH and REQUIRETLS refusals happen before anything is sent: the session is in sync.)
    const inSync = ['smtp-reply', 'starttls-not-offered', 'starttls-refused', 'auth-not-offered', 'auth-needs-tls', 'requiretls-not-offered'].includes(err.code);
    if (inSync) await this.quit();
  }

  close(): void {
    // A caller's signal outlives the probe: leave no listener holding the session.
    if (this.onAbort) this.o.signal?.removeEventListener('abort', this.onAbort);
    this.session?.close();
  }
}

