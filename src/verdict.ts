import type { Finding, Level, ProbeResult, Status } from './types.js';
import type { ResolvedOptions } from './options.js';
import { hasCapability } from './smtp/capabilities.js';
import { effectiveLevel } from './policy-dns/index.js'; // issue 8
import { policyFindings } from './policy-dns/findings.js'; // issue 8
import { statusOfFindings } from './status.js';
import { certificateStrengthFindings } from './tls/strength.js';


const TLS_ORDER = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Does `level` demand a trusted chain (verify, secure) — Postfix's "verified" levels. */
const needsTrust = (level: Level) => level === 'verify' || level === 'secure';

/**
 * Findings and status for a finished probe, with Postfix's level semantics:
 * what would `smtp_tls_security_level = LEVEL` do with this server today?
 */
export function judge(result: ProbeResult, o: ResolvedOptions): { status: Status; findings: Finding[] } {
  const findings: Finding[] = [...result.findings];
  const add = (severity: Finding['severity'], code: string, message: string) => findings.push({ severity, code, message });
  const { error, tls } = result;
  // issue 8: at dane levels Postfix applies may/encrypt when there are no usable TLSA records.
  const level = effectiveLevel(result.level, result.dane?.effectiveLevel);

  if (error) {
    // Opportunistic TLS: Postfix retries in plaintext after a failed handshake.
    // Postfix (smtp.h PLAINTEXT_FALLBACK_OK_AFTER_STARTTLS_FAILURE / _AFTER_TLS_SESSION_FAILURE)
    // retries such a delivery without TLS, also when the session fails after the handshake.
    // (Not in wrapper mode: an implicit-TLS port has no plaintext to fall back to.)
    const fallback = level === 'may' && result.mode === 'starttls' && error.code !== 'starttls-injection'
      && (error.code === 'tls-handshake' || error.phase === 'handshake' || error.phase === 'ehlo-tls');
    add(fallback ? 'warning' : 'critical', error.code, fallback ? `${error.message}; Postfix at level may would retry without TLS` : error.message);
  }

  if (result.mode === 'starttls' && level !== 'none') {
    // Level may without TLS: Postfix delivers in plaintext. (Not judged when the probe
    // stopped before TLS on purpose, or failed earlier: that is the error's finding.)
    if (level === 'may' && !tls && !error && o.quitAfter !== 'ehlo') {
      const r = result.smtp.starttls.reply;
      if (r && r.code !== 220) add('warning', 'starttls-refused', `STARTTLS refused with ${r.code} ${r.text.split('\n')[0]}: mail would go in plaintext`);
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
    judgeCertificate(result, o, add, level);
    findings.push(...certificateStrengthFindings(result.certificates, level, result.dane?.matchedBy));
  }
  findings.push(...policyFindings(result)); // issue 8: DANE, MTA-STS, TLSRPT

  return { status: statusOfFindings(findings), findings };
}

function judgeCertificate(result: ProbeResult, o: ResolvedOptions, add: (s: Finding['severity'], code: string, message: string) => void, level: Level): void {
  const v = result.verification;
  const leaf = result.certificates[0];
  // issue 8: TLSA, not PKIX, decides at dane levels (policyFindings); DANE-EE ignores names and expiry.
  if (level === 'dane' || level === 'dane-only') return;
  if (!v || !leaf) {
    const severity = level === 'may' || level === 'encrypt' ? 'info' : 'critical';
    add(severity, 'no-certificate', `server sent no certificate (anonymous cipher ${result.tls?.cipher.name ?? ''})`);
    return;
  }
  const trustWords = v.trusted ? 'trusted' : `not trusted (${v.error?.reason ?? 'unknown'}${v.error?.openssl ? `, ${v.error.openssl}` : ''})`;
  const nameWords = v.hostnameMatch ? `names ${v.matchedName}` : `does not name ${v.checkedNames.join(' or ')}`;

  if (level === 'fingerprint') {
    if (!v.fingerprintMatch) add('critical', 'fingerprint-mismatch', `certificate fingerprint matches none of --match (${leaf.sha256})`);
    return; // Postfix: fingerprint ignores trust, names and expiry
  }
  if (needsTrust(level)) {
    if (!v.trusted) add('critical', v.error?.reason ?? 'certificate-not-trusted', `certificate ${trustWords}`);
    if (!v.hostnameMatch) add('critical', 'certificate-host-mismatch', `certificate ${nameWords}`);
    if (v.trusted && v.hostnameMatch) {
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
