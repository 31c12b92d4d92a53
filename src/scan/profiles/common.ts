// Checks every profile makes: broken protocols, injection, compression, renegotiation, ciphers
// without encryption or authentication, an incomplete scan. Profiles add their own on top.
import type { ScanCipher, ScanFinding, ScanProtocolName, ScanResult } from '../types.js';
import { SET, exclusionTokens } from './settings.js';

export type ScanFacts = Omit<ScanResult, 'status' | 'findings'>;

export const accepted = (r: ScanFacts, p: ScanProtocolName): boolean => r.protocols.some((x) => x.protocol === p && x.accepted === true);

/** Every accepted cipher with its protocol. */
export function acceptedCiphers(r: ScanFacts): Array<ScanCipher & { protocol: ScanProtocolName }> {
  return r.protocols.flatMap((p) => p.ciphers.map((c) => ({ ...c, protocol: p.protocol })));
}

export function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** One finding per protocol for a set of ciphers ("TLSv1.2: 3 ciphers ...: A, B, C"). */
export function cipherFindings(list: Array<ScanCipher & { protocol: ScanProtocolName }>, make: (protocol: ScanProtocolName, names: string[], ciphers: ScanCipher[]) => ScanFinding): ScanFinding[] {
  const by = new Map<ScanProtocolName, Array<ScanCipher & { protocol: ScanProtocolName }>>();
  for (const c of list) by.set(c.protocol, [...(by.get(c.protocol) ?? []), c]);
  return [...by].map(([protocol, cs]) => make(protocol, cs.map((c) => c.name), cs));
}

/** What the scan did not test, counted per list: "TLSv1.2: 3 ciphers, 2 groups, 1 feature". */
export function untestedSummary(r: ScanFacts): string[] {
  const parts: string[] = [];
  for (const p of r.protocols) {
    if (p.accepted === null) parts.push(`${p.protocol}`);
    else if (p.untested.length) parts.push(`${p.protocol}: ${p.untested.length} cipher${p.untested.length === 1 ? '' : 's'}`);
  }
  const groups = r.groups.filter((g) => g.accepted === null).length;
  if (groups) parts.push(`${groups} group${groups === 1 ? '' : 's'}`);
  const features = Object.keys(r.features.untested).filter((k) => !r.features.untested[k as keyof typeof r.features.untested]!.startsWith('not applicable')).length;
  if (features) parts.push(`${features} feature${features === 1 ? '' : 's'}`);
  const certs = r.certificates.filter((c) => c.untestedReason).length;
  if (certs) parts.push(`${certs} certificate request${certs === 1 ? '' : 's'}`);
  return parts;
}

export function commonFindings(r: ScanFacts): ScanFinding[] {
  const out: ScanFinding[] = [];
  if (r.error && !r.incomplete) {
    // The probe's own code (tls-handshake, refused, rate-limited ...): a scan says what a probe says.
    out.push({ severity: 'critical', code: r.error.code, message: r.error.message, setting: null });
    return out;
  }
  if (r.incomplete) {
    const what = untestedSummary(r);
    out.push({ severity: 'warning', code: 'scan-incomplete', message: `scan incomplete: ${r.error?.message ?? 'some attempts were not answered'}; not tested: ${what.join(', ') || 'nothing'} (not graded)`, setting: null });
  }
  for (const p of ['SSLv2', 'SSLv3'] as const) {
    if (accepted(r, p)) out.push({ severity: 'critical', code: `protocol-${p.toLowerCase()}`, message: `${p} accepted (broken: DROWN/POODLE)`, setting: SET.protocols, tier: 'insufficient' });
  }
  const bad = acceptedCiphers(r).filter((c) => c.grade === 'null' || c.grade === 'export' || c.anonymous);
  out.push(...cipherFindings(bad, (protocol, names, cs) => ({
    severity: 'critical', code: 'cipher-no-protection',
    message: `${protocol}: ${names.length} cipher(s) without encryption, with export strength or without server authentication: ${names.join(', ')}`,
    setting: SET.exclude(uniq(cs.flatMap(exclusionTokens)).filter((x) => ['aNULL', 'eNULL', 'EXPORT'].includes(x))), tier: 'insufficient',
  })));
  if (r.features.starttlsInjection === 'vulnerable') {
    out.push({ severity: 'critical', code: 'starttls-injection', message: 'STARTTLS command injection: a command pipelined after STARTTLS was answered inside TLS (CVE-2011-0411 class)', setting: SET.injection, tier: 'insufficient' });
  }
  if (r.features.compression === 'deflate') {
    out.push({ severity: 'critical', code: 'tls-compression', message: 'TLS compression (DEFLATE) accepted: CRIME', setting: SET.compression, tier: 'insufficient' });
  }
  const bled = r.features.heartbleed.filter((h) => h.vulnerable === true).map((h) => h.protocol);
  if (bled.length) {
    out.push({ severity: 'critical', code: 'heartbleed', message: `Heartbleed (CVE-2014-0160): the server answered a heartbeat claiming more than it carried with its own memory (${bled.join(', ')})`, setting: SET.heartbleed, tier: 'insufficient' });
  }
  if (r.features.fallbackScsv === false) {
    out.push({ severity: 'info', code: 'no-fallback-scsv', message: 'TLS_FALLBACK_SCSV not honoured (RFC 7507): a client retrying with a lower version is not refused; mail clients do not do version fallback', setting: null });
  }
  if (r.features.secureRenegotiation === false) {
    out.push({ severity: 'critical', code: 'insecure-renegotiation', message: 'no RFC 5746 secure renegotiation (renegotiation_info not echoed)', setting: SET.renegotiation, tier: 'insufficient' });
  }
  return out;
}
