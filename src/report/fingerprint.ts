// `mxprobe fingerprint --cert FILE`: the lines a Postfix admin pastes into relay_clientcerts,
// a check_ccert_access table and a tls_policy `fingerprint` entry. Every line is a comment, blank,
// or a table entry, so a section pasted with its comments is a valid map source (postmap and
// texthash skip "#" lines); the whole output is not one map (the two tables share their keys).
// With `table`, only that table's lines, ready for `>> /etc/postfix/relay_clientcerts`.
import type { FingerprintReport } from '../types.js';
import { clean } from './text.js';
import { safeJson } from './sanitize.js';

export type FingerprintTable = 'relay_clientcerts' | 'check_ccert_access' | 'tls_policy';
export const FINGERPRINT_TABLES: readonly FingerprintTable[] = ['relay_clientcerts', 'check_ccert_access', 'tls_policy'];

export interface FingerprintRenderOptions {
  /** Only this table's lines, without comments. */
  table?: FingerprintTable;
}

export function renderFingerprint(r: FingerprintReport, options: FingerprintRenderOptions = {}): string {
  // Certificate names come from a file the user may have been sent: cleaned like server text.
  const subject = clean(r.subject);
  const name = r.names[0] ? clean(r.names[0]) : 'HOST';
  const policyLine = `[${name}]:25 fingerprint ${r.tlsPolicyMatch}`;
  const relay = r.relayClientcerts.map(clean);
  const access = r.checkCcertAccess.map(clean);
  if (options.table === 'relay_clientcerts') return lines(relay);
  if (options.table === 'check_ccert_access') return lines(access);
  if (options.table === 'tls_policy') return lines([policyLine]);

  const d = r.fingerprints.digest;
  const out = [
    `# ${subject}`,
    `# issued by ${clean(r.issuer)}, expires ${r.notAfter.slice(0, 10)}${r.chainCertificates ? `; ${r.chainCertificates} chain certificate(s) in the file not shown (Postfix matches the first)` : ''}`,
    `# certificate ${d}: ${r.fingerprints.certificate}`,
    `# public key  ${d}: ${r.fingerprints.publicKey} (stays the same when the certificate is renewed with the same key)`,
    `# Postfix must use the same digest: smtpd_tls_fingerprint_digest = ${d} (server), smtp_tls_fingerprint_digest = ${d} (client)${d === 'sha256' ? '; the default since compatibility_level 3.6, md5 before' : ''}`,
    '',
    '# relay_clientcerts (smtpd_relay_restrictions = permit_tls_clientcerts, ...):',
    ...relay,
    '',
    '# check_ccert_access (smtpd_*_restrictions = check_ccert_access type:table, ...):',
    `# ${subject}`,
    ...access,
    '',
    '# tls_policy, security level fingerprint (smtp_tls_policy_maps); the key is the next hop:',
    policyLine,
  ];
  return lines(out);
}

/** The report as one JSON object (the probe's JSON conventions: camelCase, 2-space indent). */
export function fingerprintJson(r: FingerprintReport): string {
  return `${safeJson(JSON.stringify(r, null, 2))}\n`;
}

const lines = (l: string[]) => `${l.join('\n')}\n`;
