// Mozilla server-side TLS recommendations (ssl-config.mozilla.org, guidelines v5.7): the
// "intermediate" and "modern" configurations. Anything outside the configuration is a WARNING;
// what every profile calls broken is CRITICAL (common.ts).
import type { ScanFinding } from '../types.js';
import { describeDhSizes, dhSizes } from '../dh-sizes.js';
import { SET } from './settings.js';
import { accepted, acceptedCiphers, cipherFindings, type ScanFacts } from './common.js';
import { opensslCurve } from './ncsc.js';

export const MOZILLA_INTERMEDIATE_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-CHACHA20-POLY1305',
];
export const MOZILLA_TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const CURVES = ['X25519', 'P-256', 'P-384'];

export function mozillaFindings(r: ScanFacts, modern: boolean): ScanFinding[] {
  const out: ScanFinding[] = [];
  const name = modern ? 'mozilla-modern' : 'mozilla-intermediate';
  const allowed = modern ? ['TLSv1.3'] : ['TLSv1.2', 'TLSv1.3'];
  for (const p of ['TLSv1', 'TLSv1.1', 'TLSv1.2'] as const) {
    if (accepted(r, p) && !allowed.includes(p)) {
      out.push({ severity: 'warning', code: `protocol-${p.toLowerCase().replace('.', '')}`, message: `${p} accepted (${name} allows ${allowed.join(', ')})`, setting: modern ? SET.protocolsTls13Only : SET.protocols });
    }
  }
  if (!accepted(r, 'TLSv1.3') && acceptedCiphers(r).length > 0) {
    out.push({ severity: modern ? 'critical' : 'info', code: 'no-tls13', message: `TLSv1.3 not offered${modern ? ` (${name} requires it)` : ''}`, setting: SET.tls13 });
  }
  const ok = new Set([...MOZILLA_TLS13_CIPHERS, ...(modern ? [] : MOZILLA_INTERMEDIATE_CIPHERS)]);
  const extra = acceptedCiphers(r).filter((c) => allowed.includes(c.protocol) && !ok.has(c.name) && c.grade !== 'null' && c.grade !== 'export' && !c.anonymous);
  out.push(...cipherFindings(extra, (protocol, names) => ({
    severity: 'warning', code: 'cipher-not-in-profile',
    message: `${protocol}: ${names.length} cipher(s) outside ${name}: ${names.join(', ')}`,
    setting: protocol === 'TLSv1.3' ? 'TLS 1.3 suites come from OpenSSL; remove TLS_AES_128_CCM* from its ciphersuites' : SET.highList(MOZILLA_INTERMEDIATE_CIPHERS.join(':')),
  })));
  // The ML-KEM hybrids each contain one of the profile's curves.
  const groups = r.groups.filter((g) => g.accepted && !g.hybrid && !CURVES.includes(g.name));
  if (groups.length) {
    out.push({ severity: 'warning', code: 'group-not-in-profile', message: `key exchange group(s) outside ${name}: ${groups.map((g) => g.name).join(', ')}`, setting: SET.curves(CURVES.map(opensslCurve).join(' ')) });
  }
  const small = dhSizes(r.protocols).filter((s) => s.bits < 2048);
  if (!modern && small.length) {
    out.push({ severity: small[0].bits < 1024 ? 'critical' : 'warning', code: 'dh-params-small', message: `DHE parameters of ${describeDhSizes(small)} (${name}: ffdhe2048 or larger)`, setting: SET.dhParams });
  }
  const rsa = r.certificates.find((c) => c.requested === 'rsa')?.leaf;
  if (rsa?.key.bits != null && rsa.key.bits < 2048) {
    out.push({ severity: 'critical', code: 'certificate-key-weak', message: `RSA certificate key of ${rsa.key.bits} bits (${name}: >= 2048)`, setting: SET.rsaKey });
  }
  if (modern && r.certificates.length && !r.certificates.some((c) => c.requested === 'ecdsa' && c.leaf)) {
    out.push({ severity: 'warning', code: 'no-ecdsa-certificate', message: `no ECDSA certificate (${name}: ECDSA P-256)`, setting: SET.ecdsaCert });
  }
  if (r.features.ocspStapling === false) {
    out.push({ severity: 'info', code: 'no-ocsp-stapling', message: 'no OCSP response stapled (Postfix\'s smtpd cannot staple; mail clients do not ask)', setting: null });
  }
  return out;
}
