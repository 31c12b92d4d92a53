// Table sections for the DNS-published policies: DANE (per TLSA record:
// usable or not, which certificate of the chain it matched), MTA-STS (record,
// policy, fetch, this MX against the policy) and TLSRPT. Server- and DNS-supplied
// text goes through `clean` like everything else a remote party controls.
import type { ProbeResult, TlsaRecordFacts } from '../types.js';
import { USAGE_NAMES } from '../dane/tlsa.js';
import { clean } from './text.js';

export type Pair = [string, string];
export interface Section {
  title: string;
  rows: Pair[];
}

/**
 * The verdict line's certificate facts at dane levels: what TLSA said, not PKIX
 * (a DANE-EE server needs no trusted chain nor a matching name). `pkix` ends with
 * the expiry phrase.
 */
export function daneVerdictFacts(r: ProbeResult, pkix: string[]): string[] {
  const d = r.dane;
  if (!d || !r.tls || pkix.length === 0) return pkix;
  const expiry = pkix[pkix.length - 1];
  if (d.authenticated === true) return [d.matchedBy === 'dane-ee' ? 'DANE-EE: TLSA matches the leaf' : 'DANE-TA: TLSA matches a CA of the chain, name matches', expiry];
  if (d.authenticated === false) return ['TLSA does not match', expiry];
  const as = d.effectiveLevel === 'defer' ? 'mail deferred' : `as level ${d.effectiveLevel}`;
  return [...pkix.filter((f) => !f.startsWith('certificate not checked')), `no usable DANE TLSA: ${as}`];
}

export function policySections(r: ProbeResult): Section[] {
  const out: Section[] = [];
  if (r.dane) out.push({ title: 'DANE', rows: daneRows(r) });
  if (r.mtaSts) out.push({ title: 'MTA-STS', rows: mtaStsRows(r) });
  if (r.tlsrpt) out.push({ title: 'TLSRPT', rows: tlsrptRows(r) });
  return out;
}

function daneRows(r: ProbeResult): Pair[] {
  const d = r.dane!;
  const rows: Pair[] = [];
  rows.push(['DNSSEC', `MX ${d.mxSecure === null ? 'n/a' : d.mxSecure ? 'secure' : 'insecure'}, address ${d.addressSecure ? 'secure' : 'insecure'}${d.ad === null ? '' : `, TLSA ${d.ad ? 'secure' : 'insecure'}`} (AD bit)`]);
  if (d.tlsaName) rows.push(['TLSA name', `${clean(d.tlsaName)} → ${d.lookup}${d.dnsStatus && d.dnsStatus !== 'NOERROR' ? ` (${clean(d.dnsStatus)})` : ''}`]);
  rows.push(['effective level', `${d.effectiveLevel} — ${clean(d.reason)}`]);
  d.records.forEach((rec, i) => rows.push([`TLSA #${i + 1}`, recordLine(rec, r)]));
  if (d.authenticated !== null) {
    rows.push(['authenticated', d.authenticated
      ? `yes, ${d.matchedBy === 'dane-ee' ? 'DANE-EE (names and dates not checked)' : `DANE-TA, leaf names ${d.checkedNames.map(clean).join(' or ')}`}`
      : `NO — ${clean(d.failure ?? 'no match')}`]);
  }
  if (d.nextCert) {
    rows.push(['next certificate', `SPKI ${d.nextCert.spkiSha256}`]);
    rows.push(['rollover', d.nextCert.ready ? 'ready: a published record matches the next certificate' : `NOT READY: publish ${d.nextCert.add.join(' or ')}`]);
  }
  return rows;
}

function recordLine(rec: TlsaRecordFacts, r: ProbeResult): string {
  const name = USAGE_NAMES[rec.usage] ?? `usage ${rec.usage}`;
  const head = `${rec.usage} ${rec.selector} ${rec.matchingType} ${rec.data}`;
  const role = (depth: number) => (depth === 0 ? 'leaf' : r.certificates[depth]?.isCA ? 'CA' : 'certificate');
  const match = rec.match ? `matches #${rec.match.depth} ${role(rec.match.depth)} (${clean(rec.match.subject)})` : 'matches no certificate of the chain';
  const usable = rec.usable ? name : `${name}, ignored: ${clean(rec.unusableReason ?? '')}`;
  const next = rec.matchesNextCert === undefined ? '' : `; next certificate: ${rec.matchesNextCert ? 'matches' : 'no match'}`;
  return `${head}\n${usable}; ${match}${next}`;
}

function mtaStsRows(r: ProbeResult): Pair[] {
  const s = r.mtaSts!;
  const rows: Pair[] = [['record', s.txt.record ? clean(s.txt.record) : `none${s.txt.error ? ` (${clean(s.txt.error)})` : ''}`]];
  if (s.txt.record && s.txt.error) rows.push(['record error', clean(s.txt.error)]);
  if (s.fetch) {
    const got = s.fetch.status === null ? '' : ` → HTTP ${s.fetch.status}${s.fetch.contentType ? ` ${clean(s.fetch.contentType)}` : ''}${s.fetch.bytes !== null ? `, ${s.fetch.bytes} bytes` : ''}`;
    rows.push(['policy URL', `${clean(s.fetch.url)}${got}`]);
    if (s.fetch.error) rows.push(['fetch error', clean(s.fetch.error)]);
  }
  if (s.policy) {
    rows.push(['policy', `mode ${s.policy.mode}, max_age ${s.policy.maxAge}, mx ${s.policy.mx.map(clean).join(', ') || '-'}`]);
    rows.push(['this MX', `${s.mxPattern ? `matches ${clean(s.mxPattern)}` : 'matches no mx pattern'}; certificate ${s.verified === null ? 'not seen' : s.verified ? 'valid for the MX host' : 'NOT valid for the MX host'}`]);
    rows.push(['enforce-mode senders', s.wouldRefuse ? 'would REFUSE to deliver here' : s.policy.mode === 'enforce' ? 'would deliver' : `not enforcing (mode ${s.policy.mode})`]);
  }
  return rows;
}

function tlsrptRows(r: ProbeResult): Pair[] {
  const t = r.tlsrpt!;
  const rows: Pair[] = [['record', t.record ? clean(t.record) : `none at _smtp._tls.${clean(t.domain)}`]];
  if (t.rua.length) rows.push(['reports to', t.rua.map(clean).join(', ')]);
  if (t.error && t.record) rows.push(['error', clean(t.error)]);
  return rows;
}
