import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { ProbeError } from '../errors.js';
import type { CommandReply, Phase, SmtpReply } from '../types.js';
import { quote, ReplyReader } from './reply-reader.js';
import { checkGroup, replyMismatch, stepOf, stepName, type SmtpStep } from './pipeline.js';
import { describeReply } from './reply.js';
import type { Transcript } from './transcript.js';
import { upgradeToTls, type UpgradeOptions } from '../tls/upgrade.js';
import { connectTcp } from './connect.js';

export interface SessionClock {
  /** The timeout for the next wait: the phase's own, capped by what is left of --deadline. */
  budget(phaseTimeoutMs: number, phase: Phase): number;
}

export interface PipelinedCommand {
  line: string;
  phase: Phase;
  /** Shown in results and transcript instead of line (never message content). */
  label?: string;
  /** The reply rule, when the line has no verb of its own (an AUTH response line). */
  step?: SmtpStep;
}

/**
 * One SMTP connection: plain socket, then possibly TLS on the same socket.
 * Every read has a deadline; after an I/O or protocol error the session is
 * botched and sends nothing more (STYLE.md, after mox's smtpclient).
 * Every reply is checked against the command it answers (./pipeline.ts), and
 * nothing may be pending when we write: a reply too many or too few is a
 * protocol violation, never a shifted success.
 */
export class SmtpSession {
  private socket: Socket | TLSSocket | Duplex;
  private reader: ReplyReader;
  private botchedBy: ProbeError | null = null;
  /** The phase and command of the last reply read: where an unsolicited reply follows. */
  private last: { phase: Phase; label: string } | null = null;
  readonly replies: CommandReply[] = [];

  private constructor(socket: Socket | Duplex, private readonly transcript: Transcript | null, private readonly clock: SessionClock) {
    this.socket = socket;
    this.reader = new ReplyReader(socket, transcript);
  }

  static async connect(address: string, port: number, transcript: Transcript | null, clock: SessionClock, connectTimeoutMs: number, signal?: AbortSignal, localAddress?: string): Promise<SmtpSession> {
    const socket = await connectTcp(address, port, clock.budget(connectTimeoutMs, 'connect'), signal, 'probe', localAddress);
    transcript?.add('==', `connected to ${address} port ${port}${localAddress ? ` from ${localAddress}` : ''}`);
    return new SmtpSession(socket, transcript, clock);
  }

  /** A session over any byte stream already connected (tests drive the reply matching in memory). */
  static over(stream: Duplex, clock: SessionClock, transcript: Transcript | null = null): SmtpSession {
    return new SmtpSession(stream, transcript, clock);
  }

  /** Bytes received on the current socket so far. */
  get receivedBytes(): number {
    return this.reader.received;
  }

  get botched(): boolean {
    return this.botchedBy !== null;
  }

  /**
   * Read the reply to `step` and check that it can be one; failures mark the session botched.
   * `record` puts it in `replies` (before the check: a reply out of step is shown as it came);
   * `redact` rewrites its lines for the transcript (AUTH challenges).
   */
  async read(step: SmtpStep, phase: Phase, timeoutMs: number, record?: string, redact?: (line: string) => string): Promise<SmtpReply> {
    const waitingFor = step === 'greeting' ? 'banner' : `reply to ${stepName(step)}`;
    let reply: SmtpReply;
    try {
      reply = await this.reader.readReply({ phase, timeoutMs: this.clock.budget(timeoutMs, phase), waitingFor, greeting: step === 'greeting', redact });
    } catch (err) {
      if (err instanceof ProbeError) this.botchedBy = err;
      throw err;
    }
    if (record !== undefined) this.replies.push({ command: record, ...reply });
    this.last = { phase, label: stepName(step) };
    const mismatch = replyMismatch(step, reply.code);
    if (mismatch) {
      this.botchedBy = new ProbeError(phase, 'protocol-violation', `reply ${quote(describeReply(reply))} to ${stepName(step)}: ${mismatch}; the server's replies are out of step with the commands sent`, reply);
      throw this.botchedBy;
    }
    return reply;
  }

  /** Send one command and read its reply (recorded in `replies`). */
  async command(line: string, phase: Phase, timeoutMs: number, label = line): Promise<SmtpReply> {
    this.write([line], [label]);
    return this.read(stepOf(line), phase, timeoutMs, label);
  }

  /** Write a group of commands in one write (RFC 2920 §3.1); read their replies with replyTo. */
  send(commands: PipelinedCommand[]): void {
    checkGroup(commands.map((c) => c.step ?? stepOf(c.line)));
    this.write(commands.map((c) => c.line), commands.map((c) => c.label ?? c.line));
  }

  /** Read and record the reply to a command already sent. */
  async replyTo(c: PipelinedCommand, timeoutMs: number): Promise<SmtpReply> {
    return this.read(c.step ?? stepOf(c.line), c.phase, timeoutMs, c.label ?? c.line);
  }

  /** Write raw message data (already dot-stuffed and terminated), after a 354. */
  writeData(data: Buffer, summary: string): void {
    this.assertInStep();
    this.transcript?.add('->', summary);
    this.socket.write(data);
  }

  /**
   * Every reply answers a command (RFC 5321 §4.3.2, RFC 2920 §3.2): bytes that arrived when
   * no reply is owed — before our next command, after QUIT's 221 — are a reply nobody asked
   * for, and every later reply would be read as the answer to the wrong command. A 421 is
   * the exception (RFC 5321 §3.8: the server may close at any time); it is read as the
   * reply to the next command, which any command can get.
   */
  assertInStep(allowShutdown = true): void {
    if (this.botchedBy) throw this.botchedBy;
    if (this.reader.pendingBytes === 0) return;
    const head = this.reader.peek(200);
    if (allowShutdown && /^421(?:[ \r\n-]|$)/.test(head)) return;
    const after = this.last ? `after the reply to ${this.last.label}` : 'before the greeting was read';
    this.botchedBy = new ProbeError(this.last?.phase ?? 'banner', 'protocol-violation', `server sent a reply nobody asked for ${after}: ${quote(head.split(/\r?\n/)[0])}; its replies are out of step with the commands sent`);
    throw this.botchedBy;
  }

  private write(lines: string[], labels: string[]): void {
    this.assertInStep();
    for (const label of labels) this.transcript?.add('->', label);
    this.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  }

  /**
   * After "220" to STARTTLS: nothing may have been read beyond it (RFC 3207
   * §4.2, CVE-2011-0411). Bytes already buffered are never handed to TLS or to
   * the post-TLS parser; the probe stops.
   */
  async startTls(options: UpgradeOptions): Promise<TLSSocket> {
    const leftover = this.reader.pendingBytes;
    if (leftover > 0) {
      this.reader.detach();
      this.botchedBy = new ProbeError('starttls', 'starttls-injection', `server sent ${leftover} bytes after its 220 reply to STARTTLS and before the TLS handshake (command injection, CVE-2011-0411 class)`);
      throw this.botchedBy;
    }
    this.reader.detach();
    return this.wrapTls(options);
  }

  /** Implicit TLS: the handshake comes right after connect. */
  async startImplicitTls(options: UpgradeOptions): Promise<TLSSocket> {
    this.reader.detach();
    return this.wrapTls(options);
  }

  private async wrapTls(options: UpgradeOptions): Promise<TLSSocket> {
    try {
      const secure = await upgradeToTls(this.socket as Socket, { ...options, timeoutMs: this.clock.budget(options.timeoutMs, options.phase) });
      this.socket = secure;
      this.reader = new ReplyReader(secure, this.transcript);
      return secure;
    } catch (err) {
      if (err instanceof ProbeError) this.botchedBy = err;
      throw err;
    }
  }

  /** End politely when the conversation is in sync; otherwise just drop it. */
  close(): void {
    this.socket.destroy();
  }
}
