import type { ErrorCode, Phase, ProbeErrorInfo, SmtpReply } from './types.js';

/** A failure of the server or the network, always with the phase it happened in. */
export class ProbeError extends Error {
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
