// Lints of a Postfix TLS configuration, in Postfix's own words: obsolete parameters with what
// replaced them (DEPRECATION_README, postconf(5)), SSLv2/SSLv3 or export/low grades, mandatory
// TLS on the public MX port (RFC 3207 §4), verbose TLS logging, and the client side
// (smtp_tls_*), including the tls_policy tables `mxprobe policy` can check. postconf's own
// warnings are quoted; a lint that postconf already printed carries postconf's text.
import { statSync } from 'node:fs';
import { lookupLevel, mustPkix } from '../levels.js';
import { enabledProtocols, parsePostfixProtocols } from '../policy/protocols.js';
import type { PostfixConfig } from './config.js';
import type { ListenerPlan } from './listeners.js';
import type { ClientTlsSettings, PostfixFinding, SmtpdTlsSettings } from './types.js';

interface Obsolete {
  /** Postfix version that logs "support for parameter ... will be removed" (DEPRECATION_README). */
  warnedSince: string | null;
  replacement: string;
  /** The release that introduced the replacement (postconf(5) "available in Postfix X and later"). */
  replacedIn: string;
  /** The replacement setting for a given value of the obsolete one. */
  fix?: (value: string) => string;
  note?: string;
}

const onOff = (yesLevel: string, noLevel: string, param: string) => (v: string) => `${param} = ${/^yes$/i.test(v.trim()) ? yesLevel : noLevel}`;

/** Sources: DEPRECATION_README (Postfix 3.11), postconf(5), RELEASE_NOTES-3.6. */
export const OBSOLETE: Readonly<Record<string, Obsolete>> = {
  smtpd_use_tls: { warnedSince: '3.9', replacement: 'smtpd_tls_security_level', replacedIn: '2.3', fix: onOff('may', 'none', 'smtpd_tls_security_level') },
  smtpd_enforce_tls: { warnedSince: '3.9', replacement: 'smtpd_tls_security_level', replacedIn: '2.3', fix: onOff('encrypt', 'may', 'smtpd_tls_security_level') },
  smtp_use_tls: { warnedSince: '3.9', replacement: 'smtp_tls_security_level', replacedIn: '2.3', fix: onOff('may', 'none', 'smtp_tls_security_level') },
  smtp_enforce_tls: { warnedSince: '3.9', replacement: 'smtp_tls_security_level', replacedIn: '2.3', fix: onOff('encrypt', 'may', 'smtp_tls_security_level') },
  lmtp_use_tls: { warnedSince: '3.9', replacement: 'lmtp_tls_security_level', replacedIn: '2.3' },
  lmtp_enforce_tls: { warnedSince: '3.9', replacement: 'lmtp_tls_security_level', replacedIn: '2.3' },
  smtp_tls_per_site: { warnedSince: '3.9', replacement: 'smtp_tls_policy_maps', replacedIn: '2.3', note: 'the table format and search order differ too: there is no simple conversion' },
  lmtp_tls_per_site: { warnedSince: '3.9', replacement: 'lmtp_tls_policy_maps', replacedIn: '2.3' },
  smtp_tls_enforce_peername: { warnedSince: '3.11', replacement: 'smtp_tls_security_level', replacedIn: '2.3', fix: onOff('verify', 'encrypt', 'smtp_tls_security_level') },
  lmtp_tls_enforce_peername: { warnedSince: '3.11', replacement: 'lmtp_tls_security_level', replacedIn: '2.3' },
  smtp_cname_overrides_servername: { warnedSince: '3.11', replacement: 'nothing (leave at default)', replacedIn: '2.11' },
  smtpd_tls_dh1024_param_file: { warnedSince: '3.9', replacement: 'nothing (leave at default)', replacedIn: '3.9', note: 'the compiled-in default is a 2048-bit prime' },
  smtpd_tls_dh512_param_file: { warnedSince: null, replacement: 'nothing', replacedIn: '3.6', note: 'ignored since Postfix 3.6: export-grade Diffie-Hellman is no longer supported (RELEASE_NOTES-3.6)' },
  smtpd_tls_eecdh_grade: { warnedSince: '3.9', replacement: 'nothing (leave at default)', replacedIn: '3.6', note: 'ignored since Postfix 3.6, which always behaves as "auto"' },
  tlsproxy_client_level: { warnedSince: '3.11', replacement: 'tlsproxy_client_security_level', replacedIn: '3.11' },
  tlsproxy_client_policy: { warnedSince: '3.11', replacement: 'tlsproxy_client_policy_maps', replacedIn: '3.11' },
};

const PROTOCOL_PARAMS = ['smtpd_tls_protocols', 'smtpd_tls_mandatory_protocols', 'smtp_tls_protocols', 'smtp_tls_mandatory_protocols'];
const GRADE_PARAMS = ['smtpd_tls_ciphers', 'smtpd_tls_mandatory_ciphers', 'smtp_tls_ciphers', 'smtp_tls_mandatory_ciphers'];
/** Map types whose name is a file postmap(1) built from a text source of the same name. */
const INDEXED = new Set(['hash', 'btree', 'lmdb', 'cdb', 'dbm', 'sdbm']);

function obsolete(name: string, value: string, where: string, quoted: Map<string, string>): PostfixFinding {
  const o = OBSOLETE[name];
  const postfixText = `support for parameter "${name}" will be removed; instead, specify "${o.replacement}"`;
  const message = quoted.get(name) ?? (o.warnedSince ? postfixText : `${name} is obsolete`);
  const fix = o.fix ? `replace with ${o.fix(value)}` : o.replacement.startsWith('nothing') ? `remove it` : `use ${o.replacement}`;
  const since = o.warnedSince ? `postconf warns as of Postfix ${o.warnedSince}` : '';
  return {
    severity: 'warning', code: 'obsolete-parameter', parameter: name, configured: value, message: `${where}${message}`,
    cause: [`${fix} (available since Postfix ${o.replacedIn})`, since, o.note].filter(Boolean).join('; '),
  };
}

/** "hash:/etc/postfix/tls_policy" → its text source, when the map type has one. */
function policySource(map: string): string | null {
  const m = /^([a-z0-9_]+):(\/.+)$/.exec(map);
  if (!m) return null;
  if (m[1] === 'texthash') return m[2];
  return INDEXED.has(m[1]) ? m[2] : null;
}

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** Client side (main.cf smtp_tls_*): never probed, linted. */
export function clientSettings(config: PostfixConfig): { client: ClientTlsSettings; findings: PostfixFinding[] } {
  const m = config.main;
  const findings: PostfixFinding[] = [];
  const raw = (m.smtp_tls_security_level ?? '').trim();
  const level = raw || (/^yes$/i.test(m.smtp_enforce_tls ?? '') ? 'encrypt' : /^yes$/i.test(m.smtp_use_tls ?? '') ? 'may' : 'none');
  const maps = (m.smtp_tls_policy_maps ?? '').split(/[\s,]+/).filter(Boolean);
  const policyMaps = maps.map((map) => {
    const sourceFile = policySource(map);
    return { map, sourceFile, exists: sourceFile !== null && mtime(sourceFile) !== null };
  });
  const parameters = Object.fromEntries(Object.entries(m).filter(([k]) => k.startsWith('smtp_') || k === 'tls_append_default_CA'));
  if (level === 'none') {
    findings.push({ severity: 'info', code: 'client-no-tls', parameter: 'smtp_tls_security_level', configured: raw, message: 'outgoing mail is sent without TLS (smtp_tls_security_level is empty)', cause: 'set smtp_tls_security_level = may (the default from Postfix 3.11 at compatibility_level 3.11)' });
  }
  const lvl = lookupLevel(level);
  const noAnchors = !(m.smtp_tls_CAfile ?? '').trim() && !(m.smtp_tls_CApath ?? '').trim();
  if (lvl && mustPkix(lvl) && noAnchors) {
    findings.push({ severity: 'warning', code: 'client-no-trust-anchors', parameter: 'smtp_tls_CAfile', configured: '', message: `smtp_tls_security_level = ${level}, but neither smtp_tls_CAfile nor smtp_tls_CApath is set: no CA is trusted and every delivery fails verification`, cause: 'set smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt (tls_misc.c loads no CA when both are empty)' });
  }
  for (const p of policyMaps) {
    if (p.sourceFile && p.exists) {
      findings.push({ severity: 'info', code: 'policy-map', parameter: 'smtp_tls_policy_maps', configured: p.map, message: `smtp_tls_policy_maps uses ${p.map}: check its entries against the servers with \`mxprobe policy ${p.sourceFile}\``, cause: `mxprobe policy ${p.sourceFile}` });
      const built = [`${p.sourceFile}.db`, `${p.sourceFile}.lmdb`, `${p.sourceFile}.cdb`].map(mtime).find((t) => t !== null);
      const src = mtime(p.sourceFile);
      if (built != null && src !== null && src > built) findings.push({ severity: 'warning', code: 'policy-map-stale', parameter: 'smtp_tls_policy_maps', configured: p.map, message: `${p.sourceFile} is newer than its indexed map: Postfix still uses the old entries`, cause: `postmap ${p.map}` });
    } else if (p.sourceFile) {
      findings.push({ severity: 'warning', code: 'policy-map-missing', parameter: 'smtp_tls_policy_maps', configured: p.map, message: `smtp_tls_policy_maps names ${p.map}, but ${p.sourceFile} does not exist`, cause: 'create the table and run postmap on it, or remove the setting' });
    }
  }
  return { client: { level, parameters, policyMaps }, findings };
}

/** Configuration-wide and per-listener lints. */
export function lintConfig(config: PostfixConfig, listeners: { plan: ListenerPlan; settings: SmtpdTlsSettings }[]): PostfixFinding[] {
  const findings: PostfixFinding[] = [];
  // postconf's own warnings: quoted; those about an obsolete parameter become that lint's text.
  const quoted = new Map<string, string>();
  for (const w of config.warnings) {
    const about = /support for parameter "([^"]+)" will be removed/.exec(w)?.[1];
    if (about && OBSOLETE[about]) quoted.set(about, `postconf: warning: ${w}`);
    else findings.push({ severity: 'warning', code: 'postconf-warning', parameter: /unused parameter: ([^=\s]+)/.exec(w)?.[1] ?? null, message: `postconf: warning: ${w}` });
  }
  for (const [name, value] of Object.entries(config.explicit)) if (OBSOLETE[name]) findings.push(obsolete(name, value, '', quoted));
  for (const s of config.services) {
    for (const [name, value] of Object.entries(s.overrides)) if (OBSOLETE[name]) findings.push(obsolete(name, value, `master.cf ${s.service}: `, quoted));
  }
  for (const name of PROTOCOL_PARAMS) {
    const value = config.main[name];
    if (value === undefined) continue;
    try {
      const ssl = enabledProtocols(parsePostfixProtocols(value)).filter((p) => p === 'SSLv2' || p === 'SSLv3');
      if (ssl.length) findings.push({ severity: 'warning', code: 'ssl-protocols-enabled', parameter: name, configured: value, message: `${name} = ${value} leaves ${ssl.join(' and ')} enabled`, cause: `set ${name} = >=TLSv1.2 (Postfix >= 3.6; older: !SSLv2, !SSLv3, !TLSv1, !TLSv1.1)` });
    } catch (err) {
      findings.push({ severity: 'critical', code: 'protocols-invalid', parameter: name, configured: value, message: (err as Error).message, cause: 'Postfix logs "Invalid TLS protocol list" and disables TLS' });
    }
  }
  for (const name of GRADE_PARAMS) {
    const value = (config.main[name] ?? '').trim().toLowerCase();
    if (value === 'export' || value === 'low' || value === 'null') {
      findings.push({ severity: 'warning', code: 'weak-cipher-grade', parameter: name, configured: value, message: `${name} = ${value}${value === 'null' ? ': no encryption at all' : ': export/low-grade ciphers allowed'}`, cause: `set ${name} = medium (the default since mid-2015) or high` });
    }
  }
  for (const name of ['smtpd_tls_loglevel', 'smtp_tls_loglevel']) {
    const level = parseInt(config.main[name] ?? '0', 10);
    if (level > 1) findings.push({ severity: 'info', code: 'tls-loglevel', parameter: name, configured: config.main[name], message: `${name} = ${config.main[name]}: Do not use "${name} = 2" or higher except in case of problems (postconf(5))`, cause: `set ${name} = 1` });
  }
  for (const { plan, settings } of listeners) {
    // RFC 3207 §4: "A publicly-referenced SMTP server MUST NOT require use of the STARTTLS extension".
    if (plan.port === 25 && settings.enforce && !settings.wrappermode) {
      findings.push({ severity: 'warning', code: 'encrypt-on-mx-port', parameter: settings.levelFrom.split(' ')[0], configured: 'encrypt', message: `${plan.label} (port 25) requires TLS: "According to RFC 2487 this MUST NOT be applied in case of a publicly-referenced SMTP server" (postconf(5) smtpd_enforce_tls; RFC 3207 §4)`, cause: 'use smtpd_tls_security_level = may on port 25; require TLS on submission (587) and smtps (465)' });
    }
  }
  return findings;
}
