// Configured against served, per listener: one row per setting a client can observe, and a
// finding for each difference with the Postfix parameter, both values and the likely cause. The
// usual cause is a change not yet applied: smtpd processes read main.cf when they start and keep
// serving with it, and master.cf -o overrides reach new ones only after `postfix reload`.
import { hasCapability } from '../smtp/capabilities.js';
import type { CertificateFacts } from '../types.js';
import { expectedProtocols, protocolRank } from './expected.js';
import type { CertificateFilesCheck, ComparisonRow, ConfiguredChain, PostfixFinding, ServedFacts, SmtpdTlsSettings } from './types.js';
import { PROTOCOL_NAMES, type ProtocolName } from '../policy/protocols.js';

const RELOAD = 'the running smtpd still uses the settings it read before the last change: reload needed (postfix reload)';

export interface CompareInput {
  mode: 'starttls' | 'implicit';
  settings: SmtpdTlsSettings;
  files: CertificateFilesCheck | null;
  served: ServedFacts | null;
  critDays: number;
}

const short = (sha: string) => `${sha.slice(0, 11)}…`;
const certText = (c: CertificateFacts) => `${short(c.sha256)} ${/CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject}, until ${c.notAfter.slice(0, 10)}`;
const yes = (b: boolean, y: string, n: string) => (b ? y : n);

/** "valid": loadable, trusted, within its validity dates (what a reload would start serving). */
function valid(c: ConfiguredChain, now: number): boolean {
  const leaf = c.certificates[0];
  return c.keyMatches && c.trusted && Date.parse(leaf.notBefore) <= now && Date.parse(leaf.notAfter) > now;
}

export function compareListener(x: CompareInput): { rows: ComparisonRow[]; findings: PostfixFinding[] } {
  const rows: ComparisonRow[] = [];
  const findings: PostfixFinding[] = [];
  const { settings: s, served } = x;
  const row = (r: ComparisonRow) => rows.push(r);
  const differ = (f: PostfixFinding) => findings.push(f);
  const p = served?.probe ?? null;

  // Security level / wrapper mode.
  const levelParam = s.levelFrom.split(' ')[0];
  if (x.mode === 'implicit') {
    const plaintext = p?.error?.code === 'plaintext-on-implicit-port';
    const servedMode = !p ? null : plaintext ? 'plaintext greeting' : p.tls ? 'TLS first' : p.error ? `failed (${p.error.code})` : 'TLS first';
    row({ check: 'wrapper mode', parameter: 'smtpd_tls_wrappermode', configured: 'TLS first', served: servedMode, verdict: !p ? 'not-probed' : plaintext ? 'differs' : p.tls ? 'ok' : 'failed' });
    if (plaintext) differ({ severity: 'critical', code: 'wrappermode-not-served', parameter: 'smtpd_tls_wrappermode', configured: 'yes', served: 'plaintext SMTP greeting', message: 'smtpd_tls_wrappermode = yes, but the port greets in plaintext', cause: RELOAD });
  } else {
    // The level shows in the EHLO reply; a session that ended before it shows nothing.
    const sawEhlo = p !== null && (p.smtp.ehlo.length > 0 || p.smtp.heloFallback === true);
    const offered = sawEhlo ? p.smtp.starttls.offered : null;
    const required = served?.plaintextMail ? served.plaintextMail.code === 530 : null;
    const servedLevel = p?.error?.code === 'implicit-tls-suspected' ? 'implicit TLS' : offered === null ? null : !offered ? 'none' : required ? 'encrypt' : required === false ? 'may' : 'offered';
    const describe = (l: string | null) => (l === 'none' ? 'none (no STARTTLS)' : l === 'may' ? 'may (STARTTLS offered)' : l === 'encrypt' ? 'encrypt (530 before STARTTLS)' : l);
    const same = servedLevel === s.level || (servedLevel === 'offered' && s.level !== 'none');
    row({ check: 'security level', parameter: levelParam, configured: describe(s.level)!, served: servedLevel === null && p?.error ? `failed (${p.error.code})` : describe(servedLevel), verdict: servedLevel === null ? (p?.error ? 'failed' : 'not-probed') : same ? 'ok' : 'differs' });
    if (servedLevel !== null && !same) {
      const mail = served?.plaintextMail ? `${served.plaintextMail.code} ${served.plaintextMail.text}` : '';
      if (s.level !== 'none' && servedLevel === 'none') {
        differ({ severity: 'critical', code: 'starttls-not-offered', parameter: levelParam, configured: s.level, served: 'no STARTTLS', message: `${s.levelFrom}, but STARTTLS is not offered`, cause: `smtpd could not load its keys (maillog: "No server certs available" or "cannot load") — see the certificate findings — or ${RELOAD}` });
      } else if (s.level === 'encrypt' && servedLevel === 'may') {
        differ({ severity: 'critical', code: 'tls-not-required', parameter: levelParam, configured: 'encrypt', served: `MAIL accepted before STARTTLS (${mail})`, message: `${s.levelFrom}, but mail is accepted without TLS`, cause: RELOAD });
      } else {
        differ({ severity: 'warning', code: 'security-level-differs', parameter: levelParam, configured: s.level, served: servedLevel, message: `${s.levelFrom}, but the server acts as level ${servedLevel}${mail ? ` (MAIL before STARTTLS: ${mail})` : ''}`, cause: RELOAD });
      }
    }
  }
  const tls = p?.tls ?? null;

  // Certificates, per key algorithm.
  const now = Date.now();
  const chains = x.files?.chains ?? [];
  for (const alg of ['rsa', 'ecdsa'] as const) {
    const conf = chains.find((c) => c.algorithm === alg);
    const got = served?.leaves[alg] ?? null;
    if (!conf && !got) continue;
    const label = `certificate (${alg.toUpperCase()})`;
    const servedText = !served || !tls ? null : got ? certText(got) : 'none';
    const same = conf && got && conf.certificates[0].sha256 === got.sha256;
    row({ check: label, parameter: x.files?.parameter ?? null, configured: conf ? certText(conf.certificates[0]) : 'none', served: servedText, verdict: servedText === null ? 'not-probed' : same ? 'ok' : 'differs' });
    if (servedText === null || same) continue;
    if (conf && got) {
      const critical = valid(conf, now) && got.daysRemaining < x.critDays;
      differ({
        severity: critical ? 'critical' : 'warning', code: 'served-certificate-differs', parameter: x.files?.parameter ?? null,
        configured: conf.certificates[0].sha256, served: got.sha256,
        message: `the server still serves the previous ${alg.toUpperCase()} certificate (until ${got.notAfter.slice(0, 10)}, ${got.daysRemaining} days) — reload needed; the configured one is valid until ${conf.certificates[0].notAfter.slice(0, 10)}`,
        cause: `${conf.files.join(', ')} changed after smtpd loaded it: ${RELOAD}`,
      });
    } else if (conf) {
      differ({ severity: 'warning', code: 'configured-certificate-not-served', parameter: x.files?.parameter ?? null, configured: conf.certificates[0].sha256, served: null, message: `an ${alg.toUpperCase()} certificate is configured but not served`, cause: RELOAD });
    } else if (got) {
      differ({ severity: 'warning', code: 'unconfigured-certificate-served', parameter: x.files?.parameter ?? null, configured: null, served: got.sha256, message: `the server serves an ${alg.toUpperCase()} certificate that is not configured (${certText(got)})`, cause: RELOAD });
    }
  }

  // Protocols: below the floor refused, configured ones accepted.
  if (served && Object.keys(served.protocols).length > 0) {
    let expected: ReturnType<typeof expectedProtocols> | null = null;
    try {
      expected = expectedProtocols(s.protocols.value);
    } catch {
      expected = null; // the lint reports the invalid list
    }
    for (const v of PROTOCOL_NAMES) {
      const got = served.protocols[v];
      if (got === undefined) continue;
      const want = expected ? expected.accepts[v] : null;
      const ssl = v === 'SSLv2' || v === 'SSLv3';
      const configured = want === null ? 'invalid list' : want ? 'accepted' : ssl && expected?.enabled[v] ? 'allowed (OpenSSL 3 has none)' : 'refused';
      row({ check: v, parameter: s.protocols.parameter, configured, served: got === null ? 'unknown' : got ? 'accepted' : 'refused', verdict: got === null || want === null ? 'not-probed' : got === want ? 'ok' : 'differs' });
      if (got === null || want === null || got === want) continue;
      const list = `${s.protocols.parameter} = ${s.protocols.value}`;
      if (got) {
        const below = expected?.range ? protocolRank(v) < protocolRank(expected.range.min) : true;
        differ({ severity: 'warning', code: below ? 'protocol-below-floor' : 'protocol-not-configured', parameter: s.protocols.parameter, configured: s.protocols.value, served: `${v} accepted`, message: `${v} accepted although ${list} ${below ? 'sets a higher floor' : 'leaves it out'}`, cause: RELOAD });
      } else {
        const old = protocolRank(v) < protocolRank('TLSv1.2' as ProtocolName);
        differ({ severity: old ? 'info' : 'warning', code: 'configured-protocol-refused', parameter: s.protocols.parameter, configured: s.protocols.value, served: `${v} refused`, message: `${v} refused although ${list} allows it`, cause: old ? `OpenSSL's security level (the system openssl.cnf) may refuse ${v} whatever Postfix allows, or ${RELOAD}` : RELOAD });
      }
    }
  }

  // Cipher grade: nothing outside the configured list is accepted (TLS <= 1.2; 1.3 suites are not graded).
  if (served && tls) {
    const conf = `${s.ciphers.grade}${s.ciphers.exclude ? `, excluding ${s.ciphers.exclude}` : ''}`;
    const tried = Object.entries(served.protocols).some(([v, a]) => a && v !== 'TLSv1.3' && !v.startsWith('SSL'));
    row({ check: 'cipher grade', parameter: s.ciphers.parameter, configured: conf, served: !tried ? 'no TLS <= 1.2' : served.cipherOutsideGrade ? `accepts ${served.cipherOutsideGrade}` : 'nothing outside accepted', verdict: !tried ? 'not-probed' : served.cipherOutsideGrade ? 'differs' : 'ok' });
    if (served.cipherOutsideGrade) differ({ severity: 'warning', code: 'cipher-outside-grade', parameter: s.ciphers.parameter, configured: conf, served: served.cipherOutsideGrade, message: `${served.cipherOutsideGrade} accepted, outside ${s.ciphers.parameter} = ${conf}`, cause: RELOAD });
  }

  // AUTH: not before TLS with smtpd_tls_auth_only; after TLS when SASL is on.
  if (p && p.smtp.banner) {
    const before = s.saslEnabled && !s.authOnly;
    if (x.mode === 'starttls') {
      const got = hasCapability(p.smtp.ehlo, 'AUTH');
      row({ check: 'AUTH before TLS', parameter: 'smtpd_tls_auth_only', configured: !s.saslEnabled ? 'not offered (SASL off)' : yes(before, 'offered', 'not offered'), served: yes(got, 'offered', 'not offered'), verdict: got === before ? 'ok' : 'differs' });
      if (got && !before) differ({ severity: 'critical', code: 'auth-before-tls', parameter: s.saslEnabled ? 'smtpd_tls_auth_only' : 'smtpd_sasl_auth_enable', configured: s.saslEnabled ? 'yes' : 'no', served: 'AUTH offered before STARTTLS', message: 'AUTH offered before TLS: passwords can be sent in plaintext', cause: RELOAD });
      else if (!got && before) differ({ severity: 'info', code: 'auth-before-tls-not-offered', parameter: 'smtpd_tls_auth_only', configured: 'no', served: 'no AUTH before STARTTLS', message: 'AUTH not offered before TLS although smtpd_tls_auth_only = no', cause: RELOAD });
    }
    if (p.smtp.ehloTls) {
      const got = hasCapability(p.smtp.ehloTls, 'AUTH');
      row({ check: 'AUTH after TLS', parameter: 'smtpd_sasl_auth_enable', configured: yes(s.saslEnabled, 'offered', 'not offered'), served: yes(got, 'offered', 'not offered'), verdict: got === s.saslEnabled ? 'ok' : 'differs' });
      if (got !== s.saslEnabled) differ({ severity: 'warning', code: 'auth-differs', parameter: 'smtpd_sasl_auth_enable', configured: yes(s.saslEnabled, 'yes', 'no'), served: yes(got, 'AUTH offered', 'no AUTH'), message: `AUTH ${got ? 'offered' : 'not offered'} after TLS although smtpd_sasl_auth_enable = ${yes(s.saslEnabled, 'yes', 'no')}`, cause: RELOAD });
    }
  }

  // Client certificate request (visible in TLS 1.2 only).
  if (served && tls) {
    const got = served.clientCertRequested;
    row({
      check: 'client certificate', parameter: 'smtpd_tls_ask_ccert', configured: yes(s.askClientCert, 'requested', 'not requested'),
      served: got === null ? 'not visible' : yes(got, 'requested', 'not requested'), verdict: got === null ? 'not-visible' : got === s.askClientCert ? 'ok' : 'differs',
      ...(got === null && { note: 'a TLS 1.3 CertificateRequest is encrypted (RFC 8446 §4.3.2); TLS 1.2 was not available to look' }),
    });
    if (got !== null && got !== s.askClientCert) differ({ severity: 'warning', code: 'client-cert-request-differs', parameter: 'smtpd_tls_ask_ccert', configured: yes(s.askClientCert, 'yes', 'no'), served: yes(got, 'requested', 'not requested'), message: `a client certificate is ${got ? '' : 'not '}requested although smtpd_tls_ask_ccert = ${yes(s.askClientCert, 'yes', 'no')}`, cause: RELOAD });
  }

  // Seen only in delivered mail or the server's own state: configured, not probed.
  row({ check: 'Received: TLS info', parameter: 'smtpd_tls_received_header', configured: yes(s.receivedHeader, 'yes', 'no'), served: null, verdict: 'not-probed', note: 'visible in delivered mail only' });
  row({ check: 'session cache', parameter: 'smtpd_tls_session_cache_database', configured: s.sessionCache.database || 'none (tickets only)', served: null, verdict: 'not-probed' });
  return { rows, findings };
}
