// The verdict line: what a mail admin needs to know about one probe, in one line, first.
//   OK mx1.example.com[192.0.2.1]:25 TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 — trusted, name matches, expires in 61 days
//   CRITICAL mx[127.0.0.1]:2525 — timeout waiting for banner after 3000 ms (banner/timeout)
// Status word, where (Postfix's host[address]:port), what TLS was negotiated (OpenSSL cipher
// name, as Postfix logs it), then the facts behind the status: trust, name, expiry, and every
// warning/critical finding with its stable code.
import type { Finding, ProbeResult } from '../types.js';
import { palette } from './color.js';
import { statusWord } from './status.js';
import { clean, cleanLines, expiryPhrase, hostLabel } from './text.js';
import { daneVerdictFacts } from './dane.js';
import { certificateJudged } from '../levels.js';

/**
 * Finding codes whose content the certificate facts already state ("untrusted (self-signed)",
 * "expired 3 days ago", "name does not match ..."), so the verdict does not say it twice.
 */
export const CODES_SHOWN_AS_FACTS: ReadonlySet<string> = new Set([
  'certificate-expired', 'certificate-not-yet-valid', 'certificate-not-trusted', 'self-signed',
  'missing-intermediate', 'certificate-host-mismatch', 'no-certificate', 'validation-failure',
  'cert-expired', 'cert-expires-soon', 'cert-not-yet-valid', 'cert-untrusted', 'untrusted',
  'name-mismatch', 'hostname-mismatch', 'fingerprint-mismatch',
]);


/** "TLSv1.3 TLS_AES_256_GCM_SHA384 X25519", or null without TLS. */
export function tlsSummary(r: ProbeResult): string | null {
  if (!r.tls) return null;
  const parts = [r.tls.protocol, r.tls.cipher.name];
  const kx = r.tls.keyExchange;
  if (kx) parts.push(kx.group ?? (kx.bits ? `${kx.type} ${kx.bits}` : kx.type));
  return parts.filter((p) => p !== '').map(clean).join(' ');
}

/** Trust, name, fingerprint and expiry of the served chain, in that order (empty without TLS). */
export function certificateFacts(r: ProbeResult): string[] {
  if (!r.tls) return [];
  const facts: string[] = [];
  const v = r.verification;
  const leaf = r.certificates[0];
  if (v) {
    facts.push(v.trusted ? 'trusted' : `untrusted (${v.error?.reason ?? 'validation-failure'})`);
    if (leaf) facts.push(nameFact(v.hostnameMatch, v.checkedNames));
    if (v.fingerprintMatch !== null) facts.push(v.fingerprintMatch ? 'fingerprint matches' : 'fingerprint does not match');
  }
  // Say why an expiring certificate is a problem: the finding is folded into this fact.
  const soon = r.findings.find((f) => f.code === 'cert-expires-soon' && f.severity !== 'info');
  const limit = soon ? /--(?:crit|warn)-days \d+/.exec(soon.message)?.[0] : undefined;
  facts.push(leaf ? `${expiryPhrase(leaf.daysRemaining)}${limit ? ` (below ${limit})` : ''}` : 'no certificate');
  const judged = v !== null && v.trusted && v.hostnameMatch;
  if (!certificateJudged(r.level) && !judged) facts.push(`certificate not checked at level ${r.level}`);
  return daneVerdictFacts(r, facts); // at dane levels TLSA, not PKIX, is the verdict (RFC 7672 §3.1)
}

function nameFact(match: boolean, checked: string[]): string {
  if (match) return 'name matches';
  const names = checked.map(clean);
  if (names.length === 0) return 'name not checked';
  return names.length === 1 ? `name does not match ${names[0]}` : `name matches none of ${names.join(', ')}`;
}

/** Warning and critical findings the facts do not already state, critical first. */
export function problemFindings(r: ProbeResult): Finding[] {
  const shown = r.tls ? CODES_SHOWN_AS_FACTS : new Set<string>();
  const rank = { critical: 0, warning: 1, info: 2 };
  return r.findings
    .filter((f) => f.severity !== 'info' && !shown.has(f.code) && f.code !== r.error?.code)
    .sort((a, b) => rank[a.severity] - rank[b.severity]);
}

/** "AUTH offered before TLS (auth-before-tls)". */
export function findingPhrase(f: Finding): string {
  return `${cleanLines(f.message).join(' ')} (${clean(f.code)})`;
}

/** The error as one phrase: "timeout waiting for banner after 3000 ms (banner/timeout)". */
export function errorPhrase(r: ProbeResult): string | null {
  const e = r.error;
  if (!e) return null;
  let text = cleanLines(e.message).join(' ');
  if (e.reply && !text.includes(String(e.reply.code))) {
    const first = cleanLines(e.reply.text)[0] ?? '';
    text += `: ${[String(e.reply.code), e.reply.enhanced, first].filter(Boolean).join(' ')}`;
  }
  return `${text} (${e.phase}/${e.code})`;
}

/** Everything after the dash: the reasons for the status. */
export function verdictDetail(r: ProbeResult): string {
  const problems = problemFindings(r).map(findingPhrase);
  const error = errorPhrase(r);
  if (error) return [error, ...problems].join('; ');
  const facts = certificateFacts(r).join(', ');
  if (facts) return [facts, ...problems].join('; ');
  if (problems.length) return problems.join('; ');
  return r.level === 'none' || r.mode === 'plain' ? `TLS not attempted (level ${r.level})` : 'TLS not used';
}

/** One line, no newline. With `color`, only the status word is coloured. */
export function verdictLine(r: ProbeResult, options: { color?: boolean } = {}): string {
  const c = palette(options.color ?? false);
  const head = [c.bold(c.status(r.status, statusWord(r.status))), hostLabel(r)];
  const tls = tlsSummary(r);
  if (tls) head.push(tls);
  else if (!r.error) head.push('no TLS');
  return `${head.join(' ')} — ${verdictDetail(r)}`;
}
