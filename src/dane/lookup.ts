// Which TLSA records apply to an MX host, and what Postfix does without them
// (postconf(5) smtp_tls_security_level, RFC 7672 §2.2): TLSA records are looked
// up only when the MX answer and the host's address answers were DNSSEC-validated
// (AD bit from a resolver the user trusts); `dane` then uses usable records,
// falls back to `encrypt` when every record is unusable and to `may` when there
// are none (or the lookups were insecure); `dane-only` defers in every such case.
// A failed TLSA lookup (SERVFAIL, timeout) defers at both levels.
import { isIP } from '../ip.js';
import type { DaneEffectiveLevel, DaneFacts, Level } from '../types.js';
import type { PacketResolver, DnsLookup } from '../dns/packet-resolver.js';
import { unusableReason, type TlsaRecord } from './tlsa.js';

export interface DaneLookup {
  facts: Omit<DaneFacts, 'records' | 'authenticated' | 'matchedBy' | 'nameMatch' | 'failure' | 'checkedNames'>;
  records: TlsaRecord[];
  /** Reference names for DANE-TA: the TLSA base domain and the MX host name (RFC 7672 §3.2.3). */
  referenceNames: string[];
}

export interface DaneLookupInput {
  resolver: PacketResolver;
  /** The MX host name (or the [host]). */
  host: string;
  port: number;
  /** Domain of the MX lookup; null for [host] and IP literals (no MX lookup to secure). */
  mxDomain: string | null;
  level: Level;
}

const strip = (n: string) => n.toLowerCase().replace(/\.$/, '');

export async function lookupDane(input: DaneLookupInput): Promise<DaneLookup> {
  const { resolver, host, port, level } = input;
  const only = level === 'dane-only';
  const base = { tlsaName: null, baseDomain: null, lookup: 'not-looked-up' as const, ad: null, dnsStatus: null };
  const fallback = (may: DaneEffectiveLevel, reason: string, extra: Partial<DaneLookup['facts']> = {}, records: TlsaRecord[] = [], names: string[] = []): DaneLookup => ({
    facts: { ...base, mxSecure, addressSecure, ...extra, effectiveLevel: only && may !== 'dane' ? 'defer' : may, reason },
    records,
    referenceNames: names,
  });

  const mxSecure = input.mxDomain ? ((await settled(resolver.seen(input.mxDomain, 'MX')))?.ad ?? false) : null;
  const addressLookups = (await Promise.all([settled(resolver.seen(host, 'A')), settled(resolver.seen(host, 'AAAA'))]))
    .filter((l): l is DnsLookup => l !== null && l.rcode === 'NOERROR' && l.records.length > 0);
  const addressSecure = addressLookups.length > 0 && addressLookups.every((l) => l.ad);

  if (isIP(host)) return fallback('may', 'an IP-literal destination has no TLSA base domain (RFC 7672 §2.2.3)');
  // Postfix >= 3.6, smtp_tls_dane_insecure_mx_policy (default "dane" at level dane): an
  // insecure MX answer still gets TLSA for an MX host whose own address lookup is secure.
  // At dane-only we keep the strict RFC 7672 §2.2.1 reading: an insecure MX defers.
  if (mxSecure === false && only) return fallback('may', `the MX lookup of ${input.mxDomain} was not DNSSEC-validated (no AD bit): TLSA not looked up`);
  if (!addressSecure) return fallback('may', `the address lookup of ${host} was not DNSSEC-validated (no AD bit): TLSA not looked up`);

  // RFC 7672 §2.2.2: the CNAME-expanded name first, then the original MX host name.
  const canonical = addressLookups[0].canonical;
  const candidates = [...new Set([strip(canonical), strip(host)])];
  const names = candidates;
  for (const name of candidates) {
    const tlsaName = `_${port}._tcp.${name}`;
    let answer: DnsLookup;
    try {
      answer = await resolver.lookup(tlsaName, 'TLSA');
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error';
      return { facts: { ...base, tlsaName, lookup: 'dns-error', dnsStatus: code, mxSecure, addressSecure, effectiveLevel: 'defer', reason: `TLSA lookup of ${tlsaName} failed (${code}): Postfix defers mail` }, records: [], referenceNames: names };
    }
    const at = { tlsaName, ad: answer.ad, dnsStatus: answer.rcode };
    if (answer.rcode !== 'NOERROR' && answer.rcode !== 'NXDOMAIN') {
      // A validation failure on a signed zone shows as SERVFAIL: Postfix defers, it does not downgrade.
      return { facts: { ...base, ...at, lookup: 'dns-error', mxSecure, addressSecure, effectiveLevel: 'defer', reason: `TLSA lookup of ${tlsaName} failed (${answer.rcode}): Postfix defers mail` }, records: [], referenceNames: names };
    }
    if (!answer.ad) return fallback('may', `TLSA answer for ${tlsaName} is not DNSSEC-validated`, { ...at, lookup: 'insecure' });
    const records = (answer.records as { usage: number; selector: number; matchingType: number; certificate: Buffer }[])
      .map((r) => ({ usage: r.usage, selector: r.selector, matchingType: r.matchingType, data: Buffer.from(r.certificate) }));
    if (records.length === 0) continue;
    const facts = { ...at, lookup: 'secure' as const, baseDomain: name };
    const usable = records.filter((r) => unusableReason(r) === null).length;
    if (usable === 0) return fallback('encrypt', `${records.length} TLSA record(s) at ${tlsaName}, none usable`, facts, records, names);
    return {
      facts: { ...base, ...facts, mxSecure, addressSecure, effectiveLevel: 'dane', reason: `${usable} usable TLSA record(s) at ${tlsaName} (DNSSEC-validated)` },
      records,
      referenceNames: names,
    };
  }
  const tlsaName = `_${port}._tcp.${candidates[0]}`;
  return fallback('may', `no TLSA records at ${candidates.map((n) => `_${port}._tcp.${n}`).join(' or ')} (secure denial)`, { tlsaName, lookup: 'no-records', ad: true, dnsStatus: 'NOERROR' });
}

async function settled<T>(p: Promise<T> | undefined): Promise<T | null> {
  if (!p) return null;
  try {
    return await p;
  } catch {
    return null;
  }
}
