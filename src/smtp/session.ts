import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ProbeError } from '../errors.js';
import type { CommandReply, Phase, SmtpReply } from '../types.js';
import { ReplyReader } from './reply-reader.js';
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
}

/**
 * One SMTP connection: plain socket, then possibly TLS on the same socket.
 * Every read has a deadline; after an I/O or protocol error the session is
 * botched and sends nothing more (STYLE.md, after mox's smtpclient).
 */
export class SmtpSession {
  private socket: Socket | TLSSocket;
  private reader: ReplyReader;
  private botchedBy: ProbeError | null = null;
  readonly replies: CommandReply[] = [];

  private constructor(socket: Socket, private readonly transcript: Transcript | null, private readonly clock: SessionClock) {
    this.socket = socket;
    this.reader = new ReplyReader(socket, transcript);
  }

  static async connect(address: string, port: number, transcript: Transcript | null, clock: SessionClock, connectTimeoutMs: number, signal?: AbortSignal): Promise<SmtpSession> {
    const socket = await connectTcp(address, port, clock.budget(connectTimeoutMs, 'connect'), signal);
    transcript?.add('==', `connected to ${address} port ${port}`);
    return new SmtpSession(socket, transcript, clock);
  }

  get rawSocket(): Socket | TLSSocket {
    return this.socket;
  }

  /** Bytes received on the current socket so far. */
  get receivedBytes(): number {
    return this.reader.received;
  }

  get botched(): boolean {
    return this.botchedBy !== null;
  }

  /** Read one reply; failures mark the session botched. `redact` rewrites its lines for the transcript. */
  async read(phase: Phase, timeoutMs: number, waitingFor: string, greeting = false, redact?: (line: string) => string): Promise<SmtpReply> {
    try {
      return await this.reader.readReply({ phase, timeoutMs: this.clock.budget(timeoutMs, phase), waitingFor, greeting, redact });
    } catch (err) {
      if (err instanceof ProbeError) this.botchedBy = err;
      throw err;
    }
  }

  /** Send one command and read its reply (recorded in `replies`). */
  async command(line: string, phase: Phase, timeoutMs: number, label = line): Promise<SmtpReply> {
    this.write([line], [label]);
    const reply = await this.read(phase, timeoutMs, `reply to ${label.split(' ')[0]}`);
    this.replies.push({ command: label, ...reply });
    return reply;
  }

  /**
   * RFC 2920 §3.1: send a group of commands in one write, then read their
   * replies in order. One TCP segment, one round trip.
   */
  async pipeline(commands: PipelinedCommand[], timeoutMs: number): Promise<SmtpReply[]> {
    this.send(commands);
    const out: SmtpReply[] = [];
    for (const c of commands) out.push(await this.replyTo(c, timeoutMs));
    return out;
  }

  /** Write a group of commands in one write (RFC 2920 §3.1); read their replies with replyTo. */
  send(commands: PipelinedCommand[]): void {
    this.write(commands.map((c) => c.line), commands.map((c) => c.label ?? c.line));
  }

  /** Read and record the reply to a command already sent. */
  async replyTo(c: PipelinedCommand, timeoutMs: number): Promise<SmtpReply> {
    const label = c.label ?? c.line;
    const reply = await this.read(c.phase, timeoutMs, `reply to ${label.split(' ')[0]}`);
    this.replies.push({ command: label, ...reply });
    return reply;
  }

  /** Write raw message data (already dot-stuffed and terminated). */
  writeData(data: Buffer, summary: string): void {
    this.transcript?.add('->', summary);
    this.socket.write(data);
  }

  private write(lines: string[], labels: string[]): void {
    if (this.botchedBy) throw this.botchedBy;
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
