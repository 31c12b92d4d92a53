import type { SmtpReply } from '../types.js';

/** A reply line split into its parts; null when it is not an SMTP reply line. */
export interface ReplyLine {
  code: number;
  /** true for "250-" (more lines follow), false for "250 " or a bare "250". */
  continued: boolean;
  text: string;
}

// RFC 5321 §4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                             Reply-code [ SP textstring ] CRLF
// Reply-code = %x32-35 %x30-35 %x30-39
const REPLY_LINE = /^([2-5][0-9][0-9])(?:([ -])(.*))?$/s;

export function parseReplyLine(line: string): ReplyLine | null {
  const m = REPLY_LINE.exec(line);
  if (!m) return null;
  return { code: Number(m[1]), continued: m[2] === '-', text: m[3] ?? '' };
}

// RFC 3463 §2: class "." subject "." detail; class is 2, 4 or 5, and it must
// agree with the reply code's first digit (RFC 2034 §4) to be taken as one.
const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

/** Build one reply from its lines' parts; enhanced code taken only if every line agrees. */
export function assembleReply(lines: ReplyLine[]): SmtpReply {
  const code = lines[0].code;
  let enhanced: string | null = null;
  const first = ENHANCED.exec(lines[0].text);
  if (first && first[1] === String(code)[0]) enhanced = `${first[1]}.${first[2]}.${first[3]}`;
  const texts = lines.map((l) => {
    if (enhanced && l.text.startsWith(enhanced)) return l.text.slice(enhanced.length).trimStart();
    return l.text;
  });
  return { code, enhanced, text: texts.join('\n') };
}

/** The reply class: 2 positive, 3 intermediate, 4 transient, 5 permanent (RFC 5321 §4.2.1). */
export const replyClass = (code: number): number => Math.floor(code / 100);

/** "250 2.1.0 Ok" — code, enhanced code and the first line, for messages. */
export function describeReply(reply: SmtpReply): string {
  const first = reply.text.split('\n')[0];
  return `${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''} ${first}`.trim();
}
