// Postfix defaults of the parameters `mxprobe postfix` reads, per Postfix version: used only
// when postconf(1) is not at hand (a configuration copied to another machine), where
// `postconf -d` would otherwise say them.
//
// Sources: the DEF_* macros of src/global/mail_params.h at the release tags v2.11.0 … v3.11.0
// of github.com/vdukhovni/postfix (the postconf -d values of those releases); RELEASE_NOTES-3.6
// ("known_tcp_ports"); RELEASE_NOTES-3.11 (smtp_tls_security_level = may at
// compatibility_level >= 3.11); postconf(5) smtpd_tls_ciphers ("medium" for releases after the
// middle of 2015, "export" for older ones). test/postfix/defaults.test.ts checks the 3.7 view
// against `postconf -d` of the installed Postfix 3.7.
import { UsageError } from '../errors.js';

export type Defaults = Readonly<Record<string, string>>;

/** Unchanged from 2.11 to 3.11. */
const ALWAYS: Defaults = {
  smtpd_tls_security_level: '', smtpd_use_tls: 'no', smtpd_enforce_tls: 'no', smtpd_tls_wrappermode: 'no',
  smtpd_tls_auth_only: 'no', smtpd_sasl_auth_enable: 'no', smtpd_tls_ask_ccert: 'no', smtpd_tls_req_ccert: 'no',
  smtpd_tls_mandatory_ciphers: 'medium', smtpd_tls_exclude_ciphers: '', smtpd_tls_mandatory_exclude_ciphers: '',
  smtpd_tls_chain_files: '', smtpd_tls_cert_file: '', smtpd_tls_key_file: '$smtpd_tls_cert_file',
  smtpd_tls_eccert_file: '', smtpd_tls_eckey_file: '$smtpd_tls_eccert_file',
  smtpd_tls_dcert_file: '', smtpd_tls_dkey_file: '$smtpd_tls_dcert_file', smtpd_tls_CAfile: '',
  smtpd_tls_received_header: 'no', smtpd_tls_session_cache_database: '', smtpd_tls_session_cache_timeout: '3600s',
  smtpd_tls_loglevel: '0', smtpd_tls_dh1024_param_file: '', smtpd_tls_dh512_param_file: '',
  tls_null_cipherlist: 'eNULL:!aNULL', tls_server_sni_maps: '', tls_append_default_CA: 'no',
  smtp_tls_security_level: '', smtp_use_tls: 'no', smtp_enforce_tls: 'no', smtp_tls_enforce_peername: 'yes',
  smtp_tls_CAfile: '', smtp_tls_CApath: '', smtp_tls_policy_maps: '', smtp_tls_per_site: '',
  smtp_tls_mandatory_ciphers: 'medium', smtp_tls_loglevel: '0',
  inet_interfaces: 'all', inet_protocols: 'all', compatibility_level: '0',
};

const PRE_3_4_ANULL = 'aNULL:-aNULL:'; // PREFER_aNULL with OpenSSL >= 1.0 (mail_params.h before 3.4)
const EXCL_38 = ':!SEED:!IDEA:!3DES:!RC2:!RC4:!RC5:!kDH:!kECDH:!aDSS:!MD5'; // TLS_EXCL, Postfix 3.8

/** What changed, by the first release with the new value. */
const EPOCHS: readonly { since: [number, number]; values: Defaults }[] = [
  {
    since: [2, 11],
    values: {
      smtpd_tls_protocols: '', smtpd_tls_mandatory_protocols: '!SSLv2', smtpd_tls_ciphers: 'export',
      smtp_tls_protocols: '!SSLv2', smtp_tls_mandatory_protocols: '!SSLv2', smtp_tls_ciphers: 'export',
      smtpd_tls_eecdh_grade: 'strong',
      tls_high_cipherlist: `${PRE_3_4_ANULL}ALL:!EXPORT:!LOW:!MEDIUM:+RC4:@STRENGTH`,
      tls_medium_cipherlist: `${PRE_3_4_ANULL}ALL:!EXPORT:!LOW:+RC4:@STRENGTH`,
      tls_low_cipherlist: `${PRE_3_4_ANULL}ALL:!EXPORT:+RC4:@STRENGTH`,
      tls_export_cipherlist: `${PRE_3_4_ANULL}ALL:+RC4:@STRENGTH`,
    },
  },
  {
    since: [3, 1],
    values: {
      smtpd_tls_protocols: '!SSLv2, !SSLv3', smtpd_tls_mandatory_protocols: '!SSLv2, !SSLv3', smtpd_tls_ciphers: 'medium',
      smtp_tls_protocols: '!SSLv2, !SSLv3', smtp_tls_mandatory_protocols: '!SSLv2, !SSLv3', smtp_tls_ciphers: 'medium',
      tls_high_cipherlist: 'aNULL:-aNULL:HIGH:@STRENGTH',
      tls_medium_cipherlist: 'aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH',
      tls_low_cipherlist: 'aNULL:-aNULL:HIGH:MEDIUM:LOW:+RC4:@STRENGTH',
      tls_export_cipherlist: 'aNULL:-aNULL:HIGH:MEDIUM:LOW:EXPORT:+RC4:@STRENGTH',
    },
  },
  { since: [3, 2], values: { smtpd_tls_eecdh_grade: 'auto' } },
  {
    since: [3, 6],
    values: {
      smtpd_tls_protocols: '>=TLSv1', smtpd_tls_mandatory_protocols: '>=TLSv1',
      smtp_tls_protocols: '>=TLSv1', smtp_tls_mandatory_protocols: '>=TLSv1',
      known_tcp_ports: 'lmtp=24, smtp=25, smtps=submissions=465, submission=587',
    },
  },
  {
    since: [3, 8],
    values: {
      tls_high_cipherlist: `aNULL:-aNULL:HIGH${EXCL_38}:@STRENGTH`,
      tls_medium_cipherlist: `aNULL:-aNULL:HIGH:MEDIUM${EXCL_38}:+RC4:@STRENGTH`,
      tls_low_cipherlist: '', tls_export_cipherlist: '',
      tls_null_cipherlist: 'eNULL:!kDH:!kECDH:!aDSS:!MD5:!aNULL',
    },
  },
];

/** "3.7", "3.7.11", "3.10.2" → [3, 7] etc.; a UsageError for anything else or below 2.11. */
export function parseVersion(version: string): [number, number] {
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(?:-\d+)?$/.exec(version.trim());
  if (!m) throw new UsageError(`invalid Postfix version "${version}" (expected e.g. 3.7 or 3.7.11)`);
  const v: [number, number] = [Number(m[1]), Number(m[2])];
  if (compareVersions(v, [2, 11]) < 0) throw new UsageError(`Postfix ${version} is not covered: defaults are known from 2.11 on`);
  return v;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The defaults of that Postfix version. `compatibilityLevel` is main.cf's, for the defaults that
 * depend on it (smtp_tls_security_level: "may" from 3.11 at compatibility_level >= 3.11).
 */
export function defaultsFor(version: string, compatibilityLevel = '0'): Defaults {
  const v = parseVersion(version);
  const out: Record<string, string> = { ...ALWAYS };
  for (const epoch of EPOCHS) if (compareVersions(v, epoch.since) >= 0) Object.assign(out, epoch.values);
  const compat = compatibilityLevel.split('.').map(Number);
  if (compareVersions(v, [3, 11]) >= 0 && compat.every(Number.isFinite) && compareVersions(compat, [3, 11]) >= 0) {
    out.smtp_tls_security_level = 'may';
  }
  return out;
}

/** The default for `postfixVersion`: Debian 12's Postfix, the one whose postconf -d the tests pin. */
export const DEFAULT_POSTFIX_VERSION = '3.7';
