// On an implicit-TLS port a server at its limit refuses in plaintext before any TLS: Exim writes
// "421 … Too many concurrent SMTP connections" and closes (smtp_in.c, the same reply as on a
// STARTTLS port). To a TLS client that is a record of type '4'; read as what it is, it is the
// banner-phase refusal src/smtp/rate-limit.ts classifies, not a refused cipher.
import { ProbeError } from '../errors.js';
import { assembleReply, describeReply, parseReplyLine } from '../smtp/reply.js';

/** The SMTP reply at the start of what an implicit-TLS port sent instead of TLS, as a banner-phase error; null when it is no reply. */
export function implicitRefusal(bytes: Buffer): ProbeError | null {
  const text = bytes.subarray(0, 1024).toString('latin1');
  const lines = text.split(/\r?\n/);
  const first = parseReplyLine(lines[0]);
  if (!first || !/\r?\n/.test(text)) return null;
  const parsed = [first];
  for (let i = 1; parsed[parsed.length - 1].continued && i < lines.length; i++) {
    const next = parseReplyLine(lines[i]);
    if (!next || next.code !== first.code) break;
    parsed.push(next);
  }
  const reply = assembleReply(parsed);
  return new ProbeError('banner', 'smtp-reply', `server refused the session: ${describeReply(reply)}`, reply);
}
