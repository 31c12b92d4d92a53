// Every string a user gives that goes on the wire is checked here, before the first connection:
// a CR or LF in an EHLO name or an address would end the command early and smuggle a second one
// (`--ehlo $'x\r\nQUIT'`). One grammar per field, from RFC 5321 §4.1.2 and §4.1.3.
import { UsageError } from './errors.js';
import { isIP } from './ip.js';
import { quoted } from './report/sanitize.js';

// RFC 5321 §4.1.2: sub-domain = Let-dig [Ldh-str]; Domain = sub-domain *("." sub-domain).
const SUB_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
// RFC 5322 §3.2.3 atext, the characters of a Dot-string atom.
const ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
// RFC 5321 §4.1.2: qtextSMTP = %d32-33 / %d35-91 / %d93-126; quoted-pairSMTP = %d92 %d32-126.
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"$/;

/** Shown in a message: escaped and bounded by the one sanitizer (report/sanitize.ts). */
const quoteInput = (text: string): string => quoted(text, 80);

function why(text: string): string | null {
  if (/[\r\n]/.test(text)) return 'contains a line break (CR or LF), which would end the command early';
  if (text.includes('\0')) return 'contains a NUL byte';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) return 'contains a control character';
  if (text.includes(' ')) return 'contains a space';
  if (/[^\x00-\x7f]/.test(text)) return 'contains non-ASCII characters (use the xn-- form of an internationalized name)';
  return null;
}

/** RFC 5321 §4.1.2 Domain, without a trailing dot; or null with what is wrong. */
export function domainProblem(domain: string): string | null {
  if (domain.length === 0) return 'is empty';
  if (domain.length > 255) return 'is longer than 255 characters';
  const labels = domain.split('.');
  const bad = labels.find((l) => !SUB_DOMAIN.test(l));
  if (bad !== undefined) return bad === '' ? 'has an empty label' : `has an invalid label ${quoteInput(bad)} (letters, digits and inner hyphens only)`;
  return null;
}

/** RFC 5321 §4.1.3 address-literal: [IPv4], [IPv6:…]. */
function addressLiteralProblem(literal: string): string | null {
  const inner = literal.slice(1, -1);
  if (isIP(inner) === 4) return null;
  if (/^ipv6:/i.test(inner) && isIP(inner.slice(5)) === 6) return null;
  return 'is not an address literal ([192.0.2.1] or [IPv6:2001:db8::1])';
}

/**
 * `--ehlo`: RFC 5321 §4.1.1.1 `EHLO SP ( Domain / address-literal )`. A UsageError names the
 * flag and what is wrong.
 */
export function checkEhloName(name: string, flag = '--ehlo'): string {
  const problem = why(name) ?? (name.startsWith('[') && name.endsWith(']') ? addressLiteralProblem(name) : domainProblem(name));
  if (problem) throw new UsageError(`${flag}: the EHLO name ${quoteInput(name)} ${problem}`);
  return name;
}

/** Is this a name the EHLO grammar accepts (for a default taken from the system)? */
export function isEhloName(name: string): boolean {
  try {
    checkEhloName(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * `--from` / `--to`: RFC 5321 §4.1.2 Mailbox = Local-part "@" ( Domain / address-literal ), with
 * Local-part a Dot-string or a Quoted-string. `<>` (the null sender, written as an empty string)
 * where `nullAllowed`, and `postmaster` alone for RCPT (§4.5.1).
 */
export function checkMailbox(addr: string, flag: string, opts: { nullAllowed?: boolean; postmaster?: boolean } = {}): string {
  if (addr === '' && opts.nullAllowed) return addr;
  if (opts.postmaster && addr.toLowerCase() === 'postmaster') return addr;
  const fail = (problem: string) => new UsageError(`${flag}: invalid mail address ${quoteInput(addr)}: ${problem}`);
  const outside = addr.startsWith('"') ? null : why(addr);
  if (outside) throw fail(outside);
  const at = addr.lastIndexOf('@');
  if (at < 1 || at === addr.length - 1) throw fail('expected local@domain');
  const local = addr.slice(0, at);
  const domain = addr.slice(at + 1);
  if (local.length > 64) throw fail('the local part is longer than 64 characters (RFC 5321 §4.5.3.1.1)');
  const localOk = local.startsWith('"') ? QUOTED.test(local) : local.split('.').every((a) => ATOM.test(a));
  if (!localOk) throw fail(`the local part ${quoteInput(local)} is neither a dot-string nor a quoted string`);
  const domainProblemText = domain.startsWith('[') && domain.endsWith(']') ? addressLiteralProblem(domain) : domainProblem(domain);
  if (domainProblemText) throw fail(`the domain ${domainProblemText}`);
  return addr;
}
