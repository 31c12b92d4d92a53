// The TLS settings an smtpd service runs with, derived from its parameters the way smtpd does it
// (postfix/src/smtpd/smtpd.c pre_jail_init() and smtpd_start_tls(), Postfix 3.7): the level
// (wrapper mode overrides it; verify/secure/fingerprint act as encrypt; the obsolete
// smtpd_use_tls/smtpd_enforce_tls apply only when the level is empty), "TLS required" selects the
// mandatory protocols, grade and extra exclusions, and implies smtpd_tls_auth_only; asking for a
// client certificate excludes aNULL. Postfix's own warnings are quoted as findings.
import { CIPHER_GRADES, postfixCipherString, type CipherGrade } from '../policy/ciphers.js';
import { lookupLevel } from '../levels.js';
import type { PostfixFinding, SmtpdTlsSettings } from './types.js';

/** get_mail_conf_bool(): yes/no, case-insensitive. */
function bool(p: Record<string, string>, name: string, findings: PostfixFinding[]): boolean {
  const v = (p[name] ?? '').trim().toLowerCase();
  if (v === 'yes') return true;
  if (v !== 'no' && v !== '') {
    findings.push({ severity: 'critical', code: 'bad-boolean', parameter: name, configured: p[name], message: `bad boolean configuration: ${name} = ${p[name]}`, cause: 'smtpd exits with this fatal error: use yes or no' });
  }
  return false;
}

/** Files listed in smtpd_tls_chain_files (commas and/or whitespace). */
export const splitList = (v: string): string[] => v.split(/[\s,]+/).filter(Boolean);

function level(p: Record<string, string>, wrappermode: boolean, findings: PostfixFinding[]): { use: boolean; enforce: boolean; from: string } {
  const raw = (p.smtpd_tls_security_level ?? '').trim();
  if (wrappermode) return { use: true, enforce: true, from: 'smtpd_tls_wrappermode = yes' };
  if (raw) {
    const lvl = lookupLevel(raw);
    const from = `smtpd_tls_security_level = ${raw}`;
    if (lvl === 'none') return { use: false, enforce: false, from };
    if (lvl === 'may') return { use: true, enforce: false, from };
    if (lvl === 'encrypt') return { use: true, enforce: true, from };
    if (lvl === 'verify' || lvl === 'secure' || lvl === 'fingerprint') {
      findings.push({ severity: 'warning', code: 'smtpd-level-unsupported', parameter: 'smtpd_tls_security_level', configured: raw, message: `smtpd_tls_security_level: unsupported TLS level "${raw}", using "encrypt"`, cause: 'the SMTP server knows none, may and encrypt only (smtpd.c); say encrypt' });
      return { use: true, enforce: true, from };
    }
    findings.push({ severity: 'critical', code: 'smtpd-level-invalid', parameter: 'smtpd_tls_security_level', configured: raw, message: `Invalid TLS level "${raw}"`, cause: 'smtpd exits with this fatal error: no mail is received on this service' });
    return { use: false, enforce: false, from };
  }
  const enforce = bool(p, 'smtpd_enforce_tls', findings);
  const use = bool(p, 'smtpd_use_tls', findings) || enforce;
  return { use, enforce, from: enforce ? 'smtpd_enforce_tls = yes' : use ? 'smtpd_use_tls = yes' : 'smtpd_tls_security_level empty' };
}

function cipherlists(p: Record<string, string>): Record<CipherGrade, string> {
  const lists = Object.fromEntries(CIPHER_GRADES.map((g) => [g, p[`tls_${g}_cipherlist`] ?? ''])) as Record<CipherGrade, string>;
  // Postfix >= 3.8: low and export have empty lists and select the medium one (tls_misc.c).
  for (const g of ['low', 'export'] as const) if (!lists[g]) lists[g] = lists.medium;
  return lists;
}

/** The effective smtpd TLS settings of one service, and what Postfix would warn or die about. */
export function smtpdTlsSettings(p: Record<string, string>): { settings: SmtpdTlsSettings; findings: PostfixFinding[] } {
  const findings: PostfixFinding[] = [];
  const wrappermode = bool(p, 'smtpd_tls_wrappermode', findings);
  const lv = level(p, wrappermode, findings);
  const enforce = lv.enforce;
  const use = lv.use || enforce;
  const req = bool(p, 'smtpd_tls_req_ccert', findings);
  const askClientCert = bool(p, 'smtpd_tls_ask_ccert', findings) || (enforce && req);
  if (req && !enforce) findings.push({ severity: 'warning', code: 'req-ccert-without-encrypt', parameter: 'smtpd_tls_req_ccert', configured: 'yes', message: "Can't require client certs unless TLS is required", cause: 'smtpd ignores smtpd_tls_req_ccert unless the level is encrypt' });
  const protoParam = enforce ? 'smtpd_tls_mandatory_protocols' : 'smtpd_tls_protocols';
  const gradeParam = enforce ? 'smtpd_tls_mandatory_ciphers' : 'smtpd_tls_ciphers';
  const grade = (p[gradeParam] ?? '').trim().toLowerCase();
  const exclude = [p.smtpd_tls_exclude_ciphers, enforce ? p.smtpd_tls_mandatory_exclude_ciphers : '', askClientCert ? 'aNULL' : '']
    .map((x) => (x ?? '').trim()).filter(Boolean).join(' ');
  let cipherlist = '';
  try {
    cipherlist = postfixCipherString({ grade, exclude }, cipherlists(p));
  } catch (err) {
    if (use) findings.push({ severity: 'critical', code: 'cipher-config-invalid', parameter: gradeParam, configured: `${grade}${exclude ? ` exclude ${exclude}` : ''}`, message: (err as Error).message, cause: 'Postfix cannot set this cipher list: TLS handshakes on this service fail' });
  }
  const chainFiles = splitList(p.smtpd_tls_chain_files ?? '');
  const legacy = ['smtpd_tls_cert_file', 'smtpd_tls_eccert_file', 'smtpd_tls_dcert_file'].filter((n) => (p[n] ?? '').trim() !== '' && p[n] !== 'none');
  if (chainFiles.length && legacy.length) {
    findings.push({ severity: 'warning', code: 'legacy-cert-ignored', parameter: legacy[0], configured: p[legacy[0]], message: `Both smtpd_tls_chain_files and one or more of the legacy smtpd_tls_cert_file, smtpd_tls_eccert_file or smtpd_tls_dcert_file are non-empty; the legacy parameters will be ignored`, cause: 'remove the legacy settings' });
  }
  const certificates = chainFiles.length
    ? { parameter: 'smtpd_tls_chain_files', files: chainFiles }
    : {
      parameter: legacy[0] ?? 'smtpd_tls_cert_file',
      files: [...new Set(legacy.flatMap((n) => [p[n], p[n.replace('cert', 'key')] || p[n]]))],
    };
  if (use && certificates.files.length === 0 && (p.smtpd_tls_cert_file ?? '') !== 'none') {
    findings.push({ severity: 'critical', code: 'no-server-cert', parameter: 'smtpd_tls_chain_files', configured: '', message: "No server certs available. TLS won't be enabled", cause: `${lv.from} asks for TLS but no certificate is configured (smtpd_tls_chain_files, or smtpd_tls_cert_file and smtpd_tls_key_file)` });
  }
  const used = [lv.from.split(' ')[0], 'smtpd_tls_wrappermode', 'smtpd_tls_auth_only', 'smtpd_sasl_auth_enable', 'smtpd_tls_ask_ccert', 'smtpd_tls_req_ccert',
    protoParam, gradeParam, enforce ? 'smtpd_tls_mandatory_exclude_ciphers' : 'smtpd_tls_exclude_ciphers', `tls_${grade}_cipherlist`,
    'smtpd_tls_chain_files', 'smtpd_tls_cert_file', 'smtpd_tls_key_file', 'smtpd_tls_eccert_file', 'smtpd_tls_eckey_file',
    'smtpd_tls_received_header', 'smtpd_tls_session_cache_database', 'smtpd_tls_session_cache_timeout', 'smtpd_tls_loglevel'];
  const settings: SmtpdTlsSettings = {
    level: use ? (enforce ? 'encrypt' : 'may') : 'none',
    levelFrom: lv.from,
    wrappermode,
    enforce,
    authOnly: bool(p, 'smtpd_tls_auth_only', findings) || enforce,
    saslEnabled: bool(p, 'smtpd_sasl_auth_enable', findings),
    askClientCert,
    requireClientCert: req && enforce,
    protocols: { parameter: protoParam, value: p[protoParam] ?? '' },
    ciphers: { parameter: gradeParam, grade, exclude, cipherlist },
    certificates,
    receivedHeader: bool(p, 'smtpd_tls_received_header', findings),
    sessionCache: { database: p.smtpd_tls_session_cache_database ?? '', timeout: p.smtpd_tls_session_cache_timeout ?? '' },
    loglevel: p.smtpd_tls_loglevel ?? '',
    parameters: Object.fromEntries([...new Set(used)].filter((n) => n in p).map((n) => [n, p[n]])),
  };
  return { settings, findings };
}
