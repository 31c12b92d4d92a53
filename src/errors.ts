import type { ErrorCode, Phase, ProbeErrorInfo, SmtpReply, TlsAlert } from './types.js';

/** A failure of the server or the network, always with the phase it happened in. */
export class ProbeError extends Error {
  /** The TLS alert the server sent, for tls-handshake. */
  tlsAlert?: TlsAlert;

  constructor(
    readonly phase: Phase,
    readonly code: ErrorCode,
    message: string,
    readonly reply?: SmtpReply,
  ) {
    super(message);
    this.name = 'ProbeError';
  }

  toInfo(): ProbeErrorInfo {
    const info: ProbeErrorInfo = { phase: this.phase, code: this.code, message: this.message };
    if (this.reply) info.reply = this.reply;
    if (this.tlsAlert) info.tlsAlert = this.tlsAlert;
    return info;
  }
}

/** Bad input from the user (flags, destinations, files): one line on stderr, exit 3. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
