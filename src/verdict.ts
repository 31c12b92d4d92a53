// Findings and status for a finished probe. The level rules are src/levels.ts's: this module
// turns its outcome (what a Postfix smtp client at this level does with the host) and the
// other facts into findings with stable codes; the status is their worst.
import type { Finding, PostfixOutcome, ProbeResult, Status } from './types.js';
import type { ResolvedOptions } from './options.js';
import { hasCapability } from './smtp/capabilities.js';
import { certificateJudged, mustPkix, postfixOutcome, tlsAttempted } from './levels.js';
import { policyFindings } from './policy-dns/findings.js';
import { statusOfFindings } from './status.js';
import { certificateStrengthFindings } from './tls/strength.js';

const TLS_ORDER = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

type Add = (severity: Finding['severity'], code: string, message: string) => void;

/**
 * Findings, status and the Postfix outcome for a finished probe: what would
 * `smtp_tls_security_level = LEVEL` do with this server today?
 */
export function judge(result: ProbeResult, o: Pick<ResolvedOptions, 'quitAfter' | 'minTls' | 'warnDays' | 'critDays'>): { status: Status; findings: Finding[]; postfix: PostfixOutcome } {
  const findings: Finding[] = [...result.findings];
  const add: Add = (severity, code, message) => findings.push({ severity, code, message });
  const outcome = postfixOutcome(result);
  const { error, tls } = result;

  if (error) {
    // Opportunistic TLS: Postfix retries in plaintext after a failed handshake (levels.ts plaintextFallback).
    const fallback = outcome.reason === 'tls-failed-fallback';
    add(fallback ? 'warning' : 'critical', error.code, fallback ? `${error.message}; Postfix at level may would retry without TLS` : error.message);
  }

  if (result.mode === 'starttls' && tlsAttempted(result.level)) {
    // Level may without TLS: Postfix delivers in plaintext. (Not judged when the probe
    // stopped before TLS on purpose, or failed earlier: that is the error's finding.)
    if (outcome.deliver && outcome.plaintext && !error && o.quitAfter !== 'ehlo') {
      const r = result.smtp.starttls.reply;
      if (outcome.reason === 'starttls-refused' && r) add('warning', 'starttls-refused', `STARTTLS refused with ${r.code} ${r.text.split('\n')[0]}: mail would go in plaintext`);
      else if (result.smtp.heloFallback) add('warning', 'no-tls', 'EHLO refused, HELO accepted: no STARTTLS possible, mail would go in plaintext');
      else add('warning', 'no-tls', 'STARTTLS not offered: mail would go in plaintext');
    }
    if (hasCapability(result.smtp.ehlo, 'AUTH')) {
      add('warning', 'auth-before-tls', 'AUTH offered before TLS: passwords could be sent in plaintext (smtpd_tls_auth_only = yes)');
    }
    if (result.smtp.ehloTls && hasCapability(result.smtp.ehloTls, 'STARTTLS')) {
      add('warning', 'starttls-after-tls', 'STARTTLS still advertised after TLS was established (RFC 3207 §4.2)');
    }
  }

  if (tls) {
    if (o.minTls && TLS_ORDER.indexOf(tls.protocol) < TLS_ORDER.indexOf(o.minTls)) {
      add('warning', 'old-tls', `${tls.protocol} negotiated, below --min-tls ${o.minTls}`);
    }
    judgeCertificate(result, o, add, outcome);
    findings.push(...certificateStrengthFindings(result.certificates, outcome.effectiveLevel, result.dane?.matchedBy));
  }
  findings.push(...policyFindings(result));

  // Rate-limited or never probed: the server was not checked, so there is no verdict on it
  // (UNKNOWN, Nagios "unable to check"), never a TLS failure.
  const unchecked = error?.code === 'rate-limited' || error?.code === 'not-probed';
  return { status: unchecked ? 'unknown' : statusOfFindings(findings), findings, postfix: outcome };
}

function judgeCertificate(result: ProbeResult, o: Pick<ResolvedOptions, 'warnDays' | 'critDays'>, add: Add, outcome: PostfixOutcome): void {
  const v = result.verification;
  const leaf = result.certificates[0];
  const level = outcome.effectiveLevel;
  // At dane levels TLSA, not PKIX, decides (policyFindings); DANE-EE ignores names and expiry.
  if (level === 'dane' || level === 'dane-only') return;
  if (!v || !leaf) {
    add(certificateJudged(level) ? 'critical' : 'info', 'no-certificate', `server sent no certificate (anonymous cipher ${result.tls?.cipher.name ?? ''})`);
    return;
  }
  const trustWords = v.trusted ? 'trusted' : `not trusted (${v.error?.reason ?? 'unknown'}${v.error?.openssl ? `, ${v.error.openssl}` : ''})`;
  const nameWords = v.hostnameMatch ? `names ${v.matchedName}` : `does not name ${v.checkedNames.join(' or ')}`;

  if (level === 'fingerprint') {
    if (!v.fingerprintMatch) add('critical', 'fingerprint-mismatch', `certificate fingerprint matches none of --match (${leaf.sha256})`);
    return; // Postfix: fingerprint ignores trust, names and expiry
  }
  if (mustPkix(level)) {
    if (!v.trusted) add('critical', v.error?.reason ?? 'certificate-not-trusted', `certificate ${trustWords}`);
    if (!v.hostnameMatch) add('critical', 'certificate-host-mismatch', `certificate ${nameWords}`);
    if (outcome.connectionClass === 'Verified') {
      if (leaf.daysRemaining < o.critDays) add('critical', 'cert-expires-soon', `certificate expires in ${leaf.daysRemaining} days (--crit-days ${o.critDays})`);
      else if (leaf.daysRemaining < o.warnDays) add('warning', 'cert-expires-soon', `certificate expires in ${leaf.daysRemaining} days (--warn-days ${o.warnDays})`);
    }
    return;
  }
  // may / encrypt: the certificate is reported, not judged (Postfix does not check it).
  if (!v.trusted || !v.hostnameMatch) {
    add('info', 'certificate-not-verified', `certificate ${trustWords}, ${nameWords} (not judged at level ${level})`);
  }
}
