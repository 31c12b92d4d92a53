import type { Duplex } from 'node:stream';
import { ProbeError } from '../errors.js';
import type { Phase, SmtpReply } from '../types.js';
import { MAX_LINE_BYTES, MAX_REPLY_BYTES, MAX_REPLY_LINES } from './limits.js';
import { assembleReply, parseReplyLine, type ReplyLine } from './reply.js';
import type { Transcript } from './transcript.js';
import { classifySocketError } from './socket-errors.js';

export interface ReadReplyOptions {
  phase: Phase;
  timeoutMs: number;
  /** What we were waiting for, for the timeout message ("banner", "reply to EHLO"). */
  waitingFor: string;
  /** The first reply of a connection: diagnose HTTP/SSH/TLS instead of "protocol violation". */
  greeting?: boolean;
  /** What the transcript shows of each line of this reply (SMTP AUTH challenges are never shown). */
  redact?: (line: string) => string;
}

interface PendingRead {
  options: ReadReplyOptions;
  lines: ReplyLine[];
  bytes: number;
  resolve: (reply: SmtpReply) => void;
  reject: (error: ProbeError) => void;
  timer: NodeJS.Timeout;
}

/**
 * Reads SMTP replies from a socket as bounded lines. The deadline covers the
 * whole reply, so a server dribbling one byte a second still times out.
 * After a protocol error the reader stays failed: a botched connection stays botched.
 */
export class ReplyReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending: PendingRead | null = null;
  private failure: ProbeError | null = null;
  private ended = false;
  /** The socket error that ended the connection, reported by the next read. */
  private endError: Error | null = null;
  /** Every byte ever received on this socket, consumed or not. */
  received = 0;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onEnd = () => this.end(null);
  private readonly onError = (err: Error) => this.end(err);

  constructor(private readonly socket: Duplex, private readonly transcript: Transcript | null) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  /** Bytes received but not yet consumed as reply lines. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** The first `max` bytes received but not yet consumed, as text (for error messages). */
  peek(max: number): string {
    let out = '';
    for (const c of this.chunks) {
      if (out.length >= max) break;
      out += c.subarray(0, max - out.length).toString('latin1');
    }
    return out;
  }

  get failed(): ProbeError | null {
    return this.failure;
  }

  /** Stop reading (before handing the socket to TLS); returns unread bytes. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    const rest = Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return rest;
  }

  readReply(options: ReadReplyOptions): Promise<SmtpReply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('readReply: a read is already pending'));
    return new Promise<SmtpReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new ProbeError(options.phase, 'timeout', `timeout waiting for ${options.waitingFor} after ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      this.pending = { options, lines: [], bytes: 0, resolve, reject, timer };
      this.drain();
    });
  }

  private receive(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.failure) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.drain();
  }

  private drain(): void {
    const read = this.pending;
    if (!read) {
      if (this.buffered > MAX_REPLY_BYTES) this.fail(this.violation('connection', `server sent ${this.buffered} bytes nobody asked for`));
      return;
    }
    if (read.options.greeting && read.lines.length === 0) {
      const early = this.diagnoseGreetingBytes(read.options.phase);
      if (early) return this.fail(early);
    }
    for (;;) {
      const line = this.takeLine();
      if (line === null) break;
      const error = this.accept(read, line);
      if (error) return this.fail(error);
      if (this.pending !== read) return; // reply complete
    }
    // A partial line may end in the CR of its CRLF, the LF still in flight: one byte more.
    if (this.buffered > MAX_LINE_BYTES + 1) {
      this.fail(this.violation(read.options.phase, `reply line longer than ${MAX_LINE_BYTES} bytes`));
    } else if (this.ended) {
      this.fail(this.closedError(read.options));
    }
  }

  /** The connection ended: say why, in the phase of the read that was waiting. */
  private closedError(options: ReadReplyOptions): ProbeError {
    if (this.endError) {
      const { code, message } = classifySocketError(this.endError);
      return new ProbeError(options.phase, code, `${message} while waiting for ${options.waitingFor}`);
    }
    return new ProbeError(options.phase, 'closed', `connection closed by server while waiting for ${options.waitingFor}`);
  }

  /** Returns an error, or null; resolves the pending read when the reply is complete. */
  private accept(read: PendingRead, raw: Buffer): ProbeError | null {
    const text = raw.toString('utf8');
    this.transcript?.add('<-', read.options.redact ? read.options.redact(text) : text);
    read.bytes += raw.length;
    if (raw.length > MAX_LINE_BYTES) return this.violation(read.options.phase, `reply line longer than ${MAX_LINE_BYTES} bytes`);
    const parsed = parseReplyLine(text);
    const phase = read.options.phase;
    if (!parsed) {
      if (read.options.greeting && read.lines.length === 0) return this.diagnoseGreetingLine(phase, text);
      return this.violation(phase, `not an SMTP reply line: ${quote(text)}`);
    }
    if (read.lines.length > 0 && parsed.code !== read.lines[0].code) {
      // RFC 5321 §4.2.1: every line of a multiline reply carries the same code.
      return this.violation(phase, `multiline reply changes code from ${read.lines[0].code} to ${parsed.code}`);
    }
    read.lines.push(parsed);
    if (read.lines.length > MAX_REPLY_LINES) return this.violation(phase, `reply longer than ${MAX_REPLY_LINES} lines`);
    if (read.bytes > MAX_REPLY_BYTES) return this.violation(phase, `reply larger than ${MAX_REPLY_BYTES} bytes`);
    if (!parsed.continued) {
      clearTimeout(read.timer);
      this.pending = null;
      read.resolve(assembleReply(read.lines));
    }
    return null;
  }

  private takeLine(): Buffer | null {
    if (this.buffered === 0) return null;
    let all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const nl = all.indexOf(0x0a);
    if (nl < 0) {
      this.chunks = [all];
      return null;
    }
    // Lines end in CRLF (RFC 5321 §2.3.8); a bare LF is tolerated, the CR stripped.
    const end = nl > 0 && all[nl - 1] === 0x0d ? nl - 1 : nl;
    const line = all.subarray(0, end);
    all = all.subarray(nl + 1);
    this.chunks = all.length ? [all] : [];
    this.buffered = all.length;
    return line;
  }

  /** A TLS record where a banner should be: the port speaks implicit TLS. */
  private diagnoseGreetingBytes(phase: Phase): ProbeError | null {
    const head = this.chunks[0];
    if (!head || head.length < 2) return null;
    // TLS record: content type 21 (alert) or 22 (handshake), version major 3.
    if ((head[0] === 0x15 || head[0] === 0x16) && head[1] === 0x03) {
      return new ProbeError(phase, 'implicit-tls-suspected', 'server sent a TLS record instead of an SMTP greeting: the port speaks implicit TLS (try --implicit or smtps://)');
    }
    return null;
  }

  private diagnoseGreetingLine(phase: Phase, line: string): ProbeError {
    const known: Array<[RegExp, string]> = [
      [/^HTTP\/\d/, 'an HTTP server'],
      [/^SSH-\d/, 'an SSH server'],
      [/^\+OK/, 'a POP3 server'],
      [/^\* OK/, 'an IMAP server'],
    ];
    for (const [pattern, what] of known) {
      if (pattern.test(line)) return new ProbeError(phase, 'not-smtp', `not an SMTP server: greeting looks like ${what}: ${quote(line)}`);
    }
    return this.violation(phase, `greeting is not an SMTP reply: ${quote(line)}`);
  }

  private violation(phase: Phase | 'connection', message: string): ProbeError {
    return new ProbeError(phase === 'connection' ? 'quit' : phase, 'protocol-violation', message);
  }

  private end(err: Error | null): void {
    if (err && !this.endError) this.endError = err;
    if (this.ended) return;
    this.ended = true;
    if (this.pending) this.drain();
  }

  private fail(error: ProbeError): void {
    if (this.failure) return;
    this.failure = error;
    const read = this.pending;
    this.pending = null;
    if (read) {
      clearTimeout(read.timer);
      read.reject(error);
    }
  }
}

/** A line for an error message: printable, at most 80 characters. */
export function quote(line: string): string {
  const printable = line.replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(printable.length > 80 ? `${printable.slice(0, 80)}...` : printable);
}
