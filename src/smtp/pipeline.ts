// Which replies each SMTP command can get, and whether a run of replies can belong to the
// commands sent. With PIPELINING (RFC 2920 §3.2) a client matches replies to commands only by
// their order, so one reply too many or too few shifts every later one onto the wrong command:
// these rules are what notices the shift instead of reading a shifted "250" as success.
// Pure: no I/O, no clock; the session asks it about every reply it reads.

export type SmtpStep =
  | 'greeting' | 'EHLO' | 'HELO' | 'STARTTLS' | 'MAIL' | 'RCPT' | 'DATA'
  /** The reply to the message after 354 (<CRLF>.<CRLF>). */
  | 'message'
  | 'RSET' | 'QUIT' | 'NOOP'
  /** AUTH and each line of its exchange (RFC 4954 §4). */
  | 'AUTH';

interface ReplyRule {
  /** The positive (2yz) and intermediate (3yz) codes this step can get. */
  positive: readonly number[];
  /** Refusals: every 4yz/5yz code, or only these. */
  refusals: 'any' | readonly number[];
  /** Where the rule comes from, for the error message. */
  source: string;
}

// RFC 5321 §4.3.2 (command-reply sequences) for the positive codes. Refusals are taken by class
// (§4.2.1: a client acts on the first digit), because real servers refuse with codes beyond
// §4.3.2's lists: Postfix's "554 Relay access denied" at RCPT, RFC 4954's 530, RFC 7504's 521/556.
// That holds for RSET too, although §4.1.1.5 says the server "MUST send a 250 OK reply": Postfix
// answers it "530 5.7.0 Must issue a STARTTLS command first" when TLS is required, and "503 5.7.0
// Error: access denied" after refusing the client (smtpd.c: RSET lacks SMTPD_CMD_FLAG_PRE_TLS).
// QUIT has no refusal: "MUST send a 221 OK reply" (§4.1.1.10), and Postfix does so in every state;
// so QUIT ends every pipelined group of ours and is where a shift shows at the latest. 421 may
// answer any command (§3.8, §4.2.3: "a reply to any command if the service knows it must shut down").
const RULES: Readonly<Record<SmtpStep, ReplyRule>> = {
  greeting: { positive: [220], refusals: 'any', source: 'RFC 5321 §4.3.2: the greeting is 220, or a refusal' },
  EHLO: { positive: [250], refusals: 'any', source: 'RFC 5321 §4.3.2: EHLO gets 250, or a refusal' },
  HELO: { positive: [250], refusals: 'any', source: 'RFC 5321 §4.3.2: HELO gets 250, or a refusal' },
  STARTTLS: { positive: [220], refusals: 'any', source: 'RFC 3207 §4: STARTTLS gets 220, or a refusal' },
  MAIL: { positive: [250], refusals: 'any', source: 'RFC 5321 §4.3.2: MAIL gets 250, or a refusal' },
  RCPT: { positive: [250, 251], refusals: 'any', source: 'RFC 5321 §4.3.2: RCPT gets 250 or 251, or a refusal' },
  DATA: { positive: [354], refusals: 'any', source: 'RFC 5321 §4.3.2: DATA gets 354, or a refusal' },
  message: { positive: [250], refusals: 'any', source: 'RFC 5321 §4.3.2: the end of the message gets 250, or a refusal' },
  RSET: { positive: [250], refusals: 'any', source: 'RFC 5321 §4.1.1.5: RSET gets 250, or a refusal' },
  QUIT: { positive: [221], refusals: [421], source: 'RFC 5321 §4.1.1.10: QUIT gets 221 (421 only when the server shuts down)' },
  NOOP: { positive: [250], refusals: 'any', source: 'RFC 5321 §4.1.1.9: NOOP gets 250, or a refusal' },
  AUTH: { positive: [235, 334], refusals: 'any', source: 'RFC 4954 §4: AUTH gets 235, a 334 challenge, or a refusal' },
};

const VERBS: Readonly<Record<string, SmtpStep>> = {
  EHLO: 'EHLO', HELO: 'HELO', STARTTLS: 'STARTTLS', MAIL: 'MAIL', RCPT: 'RCPT', DATA: 'DATA', RSET: 'RSET', QUIT: 'QUIT', NOOP: 'NOOP', AUTH: 'AUTH',
};

/** The step a command line is ("MAIL FROM:<a@b>" → MAIL). A verb we never send is a programming error. */
export function stepOf(line: string): SmtpStep {
  const verb = /^[A-Za-z]+/.exec(line)?.[0].toUpperCase() ?? '';
  const step = VERBS[verb];
  if (!step) throw new Error(`stepOf: no reply rule for command ${JSON.stringify(line.slice(0, 20))}`);
  return step;
}

/** RFC 5321 §4.2: Reply-code = %x32-35 %x30-35 %x30-39. */
export function codeInGrammar(code: number): boolean {
  if (!Number.isInteger(code) || code < 200 || code > 599) return false;
  return Math.floor(code / 10) % 10 <= 5;
}

/** Why `code` cannot be the reply to `step`, or null when it can. */
export function replyMismatch(step: SmtpStep, code: number): string | null {
  if (!codeInGrammar(code)) return `reply code ${code} is outside RFC 5321 §4.2's grammar (2-5, 0-5, 0-9)`;
  if (code === 421) return null;
  const rule = RULES[step];
  const klass = Math.floor(code / 100);
  if (klass === 2 || klass === 3) return rule.positive.includes(code) ? null : `${code} cannot answer ${stepName(step)} (${rule.source})`;
  if (rule.refusals === 'any' || rule.refusals.includes(code)) return null;
  return `${code} cannot answer ${stepName(step)} (${rule.source})`;
}

export const stepName = (step: SmtpStep): string =>
  step === 'greeting' ? 'the greeting' : step === 'message' ? 'the end of the message' : step;

// RFC 2920 §3.1: EHLO, DATA, VRFY, EXPN, TURN, QUIT and NOOP "can only appear as the last
// command in a group since their success or failure produces a change of state"; RFC 3207 §4.2
// says the same of STARTTLS, and HELO changes the state as EHLO does.
// AUTH likewise (RFC 4954 §4: nothing may be pipelined after it).
const ENDS_GROUP: ReadonlySet<SmtpStep> = new Set(['EHLO', 'HELO', 'STARTTLS', 'DATA', 'QUIT', 'NOOP', 'AUTH']);

/** Throws when a group of commands may not be pipelined as given (a bug of ours, not of the server). */
export function checkGroup(steps: readonly SmtpStep[]): void {
  steps.forEach((step, i) => {
    if (step === 'greeting' || step === 'message') throw new Error(`checkGroup: ${stepName(step)} is not a command`);
    if (ENDS_GROUP.has(step) && i !== steps.length - 1) throw new Error(`checkGroup: ${step} must be the last command of a pipelined group (RFC 2920 §3.1)`);
  });
}

export type ReplyMatch =
  | { ok: true }
  | { ok: false; kind: 'mismatch'; index: number; reason: string }
  | { ok: false; kind: 'missing'; index: number; reason: string }
  | { ok: false; kind: 'extra'; index: number; reason: string };

/**
 * Can `codes`, in order, be the replies to `steps`, one each? The first reply that cannot
 * belong, a missing reply, or one too many. A 421 ends the session (RFC 5321 §3.8): nothing
 * may follow it, and no further reply is owed.
 */
export function matchReplies(steps: readonly SmtpStep[], codes: readonly number[]): ReplyMatch {
  for (let i = 0; i < codes.length; i++) {
    if (i >= steps.length) return { ok: false, kind: 'extra', index: i, reason: `reply ${codes[i]} answers no command` };
    const reason = replyMismatch(steps[i], codes[i]);
    if (reason) return { ok: false, kind: 'mismatch', index: i, reason };
    if (codes[i] === 421) {
      return i === codes.length - 1 ? { ok: true } : { ok: false, kind: 'extra', index: i + 1, reason: 'reply after 421 (the server closes the session)' };
    }
  }
  if (codes.length < steps.length) return { ok: false, kind: 'missing', index: codes.length, reason: `no reply to ${stepName(steps[codes.length])}` };
  return { ok: true };
}
