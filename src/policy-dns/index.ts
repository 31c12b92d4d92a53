// The DNS-published policies of a destination — DANE TLSA for each MX host, the
// MTA-STS policy and the TLSRPT record of the domain — looked up once per run
// (promise caches), then applied to each probe: TLSA matched against the chain as
// served, MX hosts checked against the MTA-STS policy.
import type { LookupFunction } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import type { MtaStsFacts, ProbeOptions, ProbeResult, TlsrptFacts } from '../types.js';
import { createPacketResolver, type PacketResolver } from '../dns/packet-resolver.js';
import { lookupDane, type DaneLookup } from '../dane/lookup.js';
import { matchChain } from '../dane/match.js';
import { checkNextCertificate } from '../dane/rollover.js';
import { parseStsRecords } from '../mta-sts/record.js';
import { parseStsPolicy, mxPatternMatches } from '../mta-sts/policy.js';
import { fetchStsPolicy } from '../mta-sts/fetch.js';
import { parseTlsrptRecords } from '../tlsrpt/record.js';
import { commonNamesOf, matchHostname } from '../verify.js';
import { daneBased } from '../levels.js';
import type { ResolvedOptions } from '../options.js';
import { BoundedMap } from '../dns/bounded-map.js';

export { wantsPolicyDns } from './options.js';

type MtaStsDomain = Omit<MtaStsFacts, 'mxPattern' | 'verified' | 'wouldRefuse'>;

export interface PolicyContext {
  resolver: PacketResolver;
  mtaSts: Map<string, Promise<MtaStsDomain>>;
  tlsrpt: Map<string, Promise<TlsrptFacts>>;
}

export interface HostPolicies {
  dane?: DaneLookup;
  mtaSts?: MtaStsDomain;
  tlsrpt?: TlsrptFacts;
}

export function createPolicyContext(options: ProbeOptions): PolicyContext {
  return { resolver: createPacketResolver({ servers: options.resolver }), mtaSts: new BoundedMap(), tlsrpt: new BoundedMap() };
}

export interface HostInput {
  /** Domain of the MX lookup (null for [host], URLs, IP literals). */
  mxDomain: string | null;
  nexthop: string;
  host: string;
  port: number;
}

type Opts = Pick<ResolvedOptions, 'level' | 'ca' | 'appendCa' | 'nextCert' | 'mtaSts' | 'tlsrpt' | 'mtaStsPort' | 'mtaStsTimeoutMs' | 'resolver'>;

export async function lookupHostPolicies(ctx: PolicyContext, t: HostInput, o: Opts): Promise<HostPolicies> {
  const dane = daneBased(o.level) ? lookupDane({ resolver: ctx.resolver, host: t.host, port: t.port, mxDomain: t.mxDomain, level: o.level }) : undefined;
  // MTA-STS is a property of a recipient domain: only for MX-looked-up destinations (RFC 8461 §4).
  const sts = o.mtaSts && t.mxDomain ? cachedBy(ctx.mtaSts, t.mxDomain, () => lookupMtaSts(ctx.resolver, t.mxDomain!, o)) : undefined;
  // TLSRPT belongs to a recipient domain too; for [host] only when asked (--tlsrpt).
  const wantsRpt = o.tlsrpt || (t.mxDomain !== null && (o.mtaSts || daneBased(o.level)));
  const rpt = wantsRpt ? cachedBy(ctx.tlsrpt, t.nexthop, () => lookupTlsrpt(ctx.resolver, t.nexthop)) : undefined;
  const [d, m, r] = await Promise.all([dane, sts, rpt]);
  return { ...(d && { dane: d }), ...(m && { mtaSts: m }), ...(r && { tlsrpt: r }) };
}

function cachedBy<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let hit = map.get(key);
  if (!hit) map.set(key, (hit = make()));
  return hit;
}

async function txtStrings(resolver: PacketResolver, name: string): Promise<{ txt: string[]; error: string | null }> {
  try {
    const l = await resolver.lookup(name, 'TXT');
    if (l.rcode !== 'NOERROR' && l.rcode !== 'NXDOMAIN') return { txt: [], error: `TXT ${name}: ${l.rcode}` };
    // A TXT record is one or more character-strings; they are concatenated (RFC 7208 §3.3 style, RFC 8461 §3.1).
    return { txt: l.records.map((r) => (Array.isArray(r) ? Buffer.concat(r as Buffer[]) : Buffer.from(r as Buffer)).toString('utf8')), error: null };
  } catch (err) {
    return { txt: [], error: `TXT ${name}: ${(err as { code?: string }).code ?? (err as Error).message}` };
  }
}

async function lookupMtaSts(resolver: PacketResolver, domain: string, o: Opts): Promise<MtaStsDomain> {
  const { txt, error } = await txtStrings(resolver, `_mta-sts.${domain}`);
  const parsed = parseStsRecords(txt);
  const txtFacts = 'id' in parsed
    ? { record: parsed.record, id: parsed.id, error: null }
    : { record: parsed.record, id: null, error: error ?? parsed.error };
  if (txtFacts.id === null) return { domain, txt: txtFacts, fetch: null, policy: null };
  const lookup = o.resolver.length ? resolverLookup(resolver) : undefined;
  const fetched = await fetchStsPolicy(domain, { ca: o.ca, appendCa: o.appendCa, port: o.mtaStsPort, timeoutMs: o.mtaStsTimeoutMs, lookup });
  const { body, ...fetch } = fetched;
  if (body === null) return { domain, txt: txtFacts, fetch, policy: null };
  const policy = parseStsPolicy(body);
  if ('error' in policy) return { domain, txt: txtFacts, fetch: { ...fetch, error: `policy: ${policy.error}` }, policy: null };
  return { domain, txt: txtFacts, fetch, policy };
}

/** getaddrinfo replacement that asks --resolver, so a test zone can point mta-sts.DOMAIN at 127.0.0.1. */
function resolverLookup(resolver: PacketResolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (err: Error | null, address: unknown, family?: number) => void) => {
    const v4 = resolver.addresses(hostname, 4).then((a) => a.map((address) => ({ address, family: 4 })));
    const v6 = resolver.addresses(hostname, 6).then((a) => a.map((address) => ({ address, family: 6 })));
    Promise.allSettled([v4, v6]).then(([a, b]) => {
      const all = [...(a.status === 'fulfilled' ? a.value : []), ...(b.status === 'fulfilled' ? b.value : [])];
      if (all.length === 0) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), undefined);
      if (options.all) callback(null, all);
      else callback(null, all[0].address, all[0].family);
    });
  }) as unknown as LookupFunction;
}

async function lookupTlsrpt(resolver: PacketResolver, domain: string): Promise<TlsrptFacts> {
  const { txt, error } = await txtStrings(resolver, `_smtp._tls.${domain}`);
  const parsed = parseTlsrptRecords(txt);
  if ('rua' in parsed) return { domain, record: parsed.record, rua: parsed.rua, error: null };
  return { domain, record: parsed.record, rua: [], error: error ?? parsed.error };
}

/**
 * Fill result.dane / mtaSts / tlsrpt from the lookups and the chain as served
 * (empty when TLS was not reached). Called when TLS is up (the MAIL decision
 * needs it) and again at the end; the last call wins.
 */
export function attachPolicies(result: ProbeResult, p: HostPolicies, chain: X509Certificate[], o: Opts): void {
  if (p.dane) {
    const { facts, records, referenceNames } = p.dane;
    const tried = chain.length > 0 && facts.effectiveLevel === 'dane';
    const m = matchChain(records, chain, referenceNames);
    result.dane = {
      ...facts,
      records: m.records,
      authenticated: tried ? m.authenticated : null,
      matchedBy: tried ? m.matchedBy : null,
      checkedNames: referenceNames,
      nameMatch: tried ? m.nameMatch : null,
      failure: tried ? m.failure : null,
    };
    if (o.nextCert && records.length > 0) {
      const next = checkNextCertificate(records, o.nextCert, chain);
      result.dane.records.forEach((r, i) => (r.matchesNextCert = next.matches[i]));
      result.dane.nextCert = { sha256: next.sha256, spkiSha256: next.spkiSha256, ready: next.ready, add: next.add };
    } else if (o.nextCert) {
      const next = checkNextCertificate([], o.nextCert, chain);
      result.dane.nextCert = { sha256: next.sha256, spkiSha256: next.spkiSha256, ready: false, add: next.add };
    }
  }
  if (p.mtaSts) {
    const policy = p.mtaSts.policy;
    const mxPattern = policy?.mx.find((pattern) => mxPatternMatches(pattern, result.host)) ?? null;
    const leaf = result.certificates[0];
    const verified = result.tls && leaf && result.verification
      ? result.verification.trusted && matchHostname(leaf, chain[0] ? commonNamesOf(chain[0]) : null, [result.host]).match
      : null;
    // RFC 8461 §5: in enforce mode a sender delivers only to a listed MX with a valid certificate over TLS.
    const noTls = result.tls === null && result.mode === 'starttls' && result.smtp.ehlo.length > 0;
    const wouldRefuse = policy?.mode === 'enforce' && (mxPattern === null || verified === false || noTls);
    result.mtaSts = { ...p.mtaSts, mxPattern, verified, wouldRefuse };
  }
  if (p.tlsrpt) result.tlsrpt = p.tlsrpt;
}

/**
 * What of the looked-up policies decides a result, for run.ts's shared-connection key:
 * two destinations with the same MX but different DNSSEC status, TLSA answers or
 * MTA-STS policies must not share one result.
 */
export function policyKey(p: HostPolicies | undefined): string {
  if (!p) return '';
  const d = p.dane ? `${p.dane.facts.effectiveLevel}:${p.dane.facts.mxSecure}:${p.dane.records.map((r) => `${r.usage}${r.selector}${r.matchingType}${r.data.toString('hex')}`).join('+')}` : '';
  return `${d}|${p.mtaSts?.domain ?? ''}|${p.tlsrpt?.domain ?? ''}`;
}
