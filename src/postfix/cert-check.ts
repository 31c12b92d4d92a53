// The certificate files of a listener, checked offline: would Postfix load them (pem-load.ts),
// does each key match its certificate, is each chain in order and complete up to a trust anchor,
// does the leaf name myhostname (and the extra host names), how long until it expires, and is
// there one key per algorithm that was configured. "This will fail after reload" is decided here,
// before any reload.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { mustPkix } from '../levels.js';
import { certificateFacts } from '../tls/certificate.js';
import { commonNameOf, matchHostname } from '../verify.js';
import type { Level } from '../types.js';
import { loadChainFiles, loadLegacyPair, type LoadedChain, type LoadResult } from './pem-load.js';
import type { CertificateFilesCheck, ConfiguredChain, KeyAlgorithm, PostfixFinding, SmtpdTlsSettings } from './types.js';

export interface CertCheckContext {
  names: string[];
  anchors: X509Certificate[];
  level: Level;
  warnDays: number;
  critDays: number;
  now?: number;
}

let bundled: X509Certificate[] | null = null;

/** Trust anchors: the CA file's certificates, else Node's bundled roots (parsed once). */
export function trustAnchors(caPem?: string): X509Certificate[] {
  if (caPem !== undefined) {
    return [...caPem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]));
  }
  bundled ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return bundled;
}

export function algorithmOf(type: string | undefined): KeyAlgorithm {
  switch (type) {
    case 'rsa': case 'rsa-pss': return 'rsa';
    case 'ec': return 'ecdsa';
    case 'dsa': case 'ed25519': case 'ed448': return type;
    default: return 'unknown';
  }
}

function issued(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** X509Certificate.subject ("O=x\nCN=y") on one line. */
const cn = (subject: string) => subject.split('\n').filter(Boolean).join(', ');
/** The CN of a one-line subject, else the whole subject. */
const commonName = (subject: string) => /(?:^|, )CN=([^,]+)/.exec(subject)?.[1] ?? subject;

/** Trusted when the last certificate is an anchor or issued by one. */
function trust(chain: X509Certificate[], anchors: X509Certificate[]): { trusted: boolean; error: string | null } {
  const last = chain[chain.length - 1];
  if (anchors.some((a) => a.fingerprint256 === last.fingerprint256)) return { trusted: true, error: null };
  if (anchors.some((a) => issued(last, a))) return { trusted: true, error: null };
  if (issued(last, last)) return { trusted: false, error: `ends in ${cn(last.subject)}, a self-signed certificate that is not a trusted root` };
  return { trusted: false, error: `incomplete: the issuer of ${cn(last.subject)} (${cn(last.issuer)}) is neither in the file nor a trusted root` };
}

function load(settings: SmtpdTlsSettings, params: Record<string, string>): LoadResult {
  if (settings.certificates.parameter === 'smtpd_tls_chain_files') return loadChainFiles(settings.certificates.files);
  const out: LoadResult = { chains: [], errors: [], warnings: [] };
  for (const [kind, cert, key] of [['RSA', 'smtpd_tls_cert_file', 'smtpd_tls_key_file'], ['ECDSA', 'smtpd_tls_eccert_file', 'smtpd_tls_eckey_file'], ['DSA', 'smtpd_tls_dcert_file', 'smtpd_tls_dkey_file']] as const) {
    const c = (params[cert] ?? '').trim();
    if (!c || c === 'none') continue;
    const r = loadLegacyPair(kind, c, (params[key] ?? '').trim() || c);
    out.chains.push(...r.chains);
    out.errors.push(...r.errors);
    out.warnings.push(...r.warnings);
    const got = r.chains[0] ? algorithmOf(r.chains[0].key.asymmetricKeyType) : null;
    if (got && got !== kind.toLowerCase()) out.warnings.push(`${cert} holds ${got === 'rsa' ? 'an RSA' : `an ${got.toUpperCase()}`} key, not ${kind === 'RSA' ? 'an RSA' : `an ${kind}`} one`);
  }
  return out;
}

function examine(c: LoadedChain, ctx: CertCheckContext, now: number): ConfiguredChain {
  const inOrder = c.certificates.every((cert, i) => i === c.certificates.length - 1 || issued(cert, c.certificates[i + 1]));
  const t = trust(c.certificates, ctx.anchors);
  const leafFacts = certificateFacts(c.certificates[0], now, false);
  return {
    files: c.files,
    algorithm: algorithmOf(c.key.asymmetricKeyType),
    certificates: c.certificates.map((x) => certificateFacts(x, now, false)),
    keyMatches: true,
    inOrder,
    trusted: t.trusted,
    trustError: t.error,
    names: ctx.names.map((name) => ({ name, match: matchHostname(leafFacts, commonNameOf(c.certificates[0]), [name]).match })),
  };
}

/** Check a listener's configured key and certificate files; findings say what a reload would do. */
export function checkCertificateFiles(settings: SmtpdTlsSettings, params: Record<string, string>, ctx: CertCheckContext): { check: CertificateFilesCheck; findings: PostfixFinding[] } {
  const now = ctx.now ?? Date.now();
  const parameter = settings.certificates.parameter;
  const findings: PostfixFinding[] = [];
  const add = (severity: PostfixFinding['severity'], code: string, message: string, cause?: string) => findings.push({ severity, code, parameter, message, ...(cause && { cause }) });
  const r = load(settings, params);
  for (const e of r.errors) add('critical', 'certificate-load-error', e, 'after the next reload smtpd cannot load its keys: "disabling TLS support", STARTTLS is not offered (or answers 454)');
  for (const w of r.warnings) add('warning', 'certificate-file-warning', w);
  const chains = r.chains.map((c) => examine(c, ctx, now));
  const judged = mustPkix(ctx.level) ? 'critical' : 'warning';
  const seen = new Map<KeyAlgorithm, number>();
  for (const c of chains) {
    const leaf = c.certificates[0];
    const what = `${c.algorithm.toUpperCase()} certificate "${commonName(leaf.subject)}" (${c.files.join(', ')})`;
    seen.set(c.algorithm, (seen.get(c.algorithm) ?? 0) + 1);
    if (!c.inOrder) add('warning', 'chain-out-of-order', `${what}: chain not in order`, 'list the leaf, then its issuer, then that issuer\'s issuer (RFC 8446 §4.4.2 lets clients cope, many older ones do not)');
    if (!c.trusted) add(judged, 'chain-not-trusted', `${what}: chain ${c.trustError ?? 'not trusted'}`, 'append the missing intermediate certificate(s) to the file, after the leaf');
    const missing = c.names.filter((n) => !n.match).map((n) => n.name);
    if (missing.length) add(judged, 'certificate-host-mismatch', `${what} does not name ${missing.join(', ')}`, 'get a certificate whose subjectAltName lists every name clients use (myhostname, the MX names)');
    for (const cert of c.certificates) {
      if (Date.parse(cert.notBefore) > now) add('critical', 'certificate-not-yet-valid', `${what}: ${cert === leaf ? 'the certificate' : `"${commonName(cert.subject)}"`} is not valid before ${cert.notBefore}`);
    }
    const days = leaf.daysRemaining;
    if (Date.parse(leaf.notAfter) < now) add('critical', 'certificate-expired', `${what} expired on ${leaf.notAfter.slice(0, 10)}`);
    else if (days < ctx.critDays) add('critical', 'cert-expires-soon', `${what} expires in ${days} days (critDays ${ctx.critDays})`);
    else if (days < ctx.warnDays) add('warning', 'cert-expires-soon', `${what} expires in ${days} days (warnDays ${ctx.warnDays})`);
    if (c.algorithm === 'rsa' && (leaf.key.bits ?? 0) < 2048) add('warning', 'weak-key', `${what}: RSA key of ${leaf.key.bits} bits`, 'use at least 2048 bits');
  }
  for (const [alg, n] of seen) {
    if (n > 1) add('critical', 'duplicate-key-algorithm', `${n} ${alg.toUpperCase()} keys configured: the files must contain at most one key of each type`, 'postconf(5) smtpd_tls_chain_files: keep one key per algorithm');
  }
  if (chains.length > 0 && !seen.has('rsa')) add('info', 'no-rsa-certificate', 'no RSA certificate: clients without ECDSA support get none', 'postconf(5): an RSA key should generally be configured, along with any additional keys for other algorithms');
  return { check: { parameter, files: settings.certificates.files, chains, loadable: r.errors.length === 0 && chains.length > 0 }, findings };
}
