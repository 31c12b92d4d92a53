// Authenticate a served chain with TLSA records the way Postfix (OpenSSL's DANE
// support, RFC 7671) does: DANE-EE(3) matches the leaf and ignores names and
// dates (RFC 7671 §5.1); DANE-TA(2) matches an issuer in the chain (or a bare
// key / full certificate the record carries), and then the chain from the leaf
// up to it must be signed, in date, and the leaf must name a reference name
// (RFC 7671 §5.2, RFC 7672 §3.2.3). Every record is matched against every
// certificate so the report can say which one it matched.
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { TlsaRecordFacts } from '../types.js';
import { commonNamesOf, matchHostname } from '../verify.js';
import { certificateFacts } from '../tls/certificate.js';
import { digestOf } from '../tls/certificate.js';
import { recordFacts, recordMatches, type TlsaRecord } from './tlsa.js';

export interface DaneMatch {
  records: TlsaRecordFacts[];
  authenticated: boolean;
  matchedBy: 'dane-ee' | 'dane-ta' | null;
  nameMatch: boolean | null;
  failure: string | null;
}

export function matchChain(records: TlsaRecord[], chain: X509Certificate[], referenceNames: string[], now = Date.now()): DaneMatch {
  const facts = records.map((r) => {
    const f = recordFacts(r);
    const depth = chain.findIndex((c) => recordMatches(r, c));
    if (depth >= 0) f.match = { depth, subject: chain[depth].subject.split('\n').filter(Boolean).join(', '), sha256: digestOf(chain[depth].raw) };
    return f;
  });
  const usable = records.map((r, i) => ({ r, f: facts[i] })).filter((x) => x.f.usable);
  const leaf = chain[0];
  if (!leaf) return { records: facts, authenticated: false, matchedBy: null, nameMatch: null, failure: 'server sent no certificate' };

  // DANE-EE: the leaf itself, nothing else checked.
  if (usable.some((x) => x.r.usage === 3 && x.f.match?.depth === 0)) {
    return { records: facts, authenticated: true, matchedBy: 'dane-ee', nameMatch: null, failure: null };
  }

  // DANE-TA: a trust anchor in the chain (depth >= 1), or one the record itself carries.
  const failures: string[] = [];
  let nameMatch: boolean | null = null;
  for (const { r, f } of usable.filter((x) => x.r.usage === 2)) {
    const anchorDepth = f.match && f.match.depth >= 1 ? f.match.depth : null;
    const anchorKey = anchorDepth !== null ? chain[anchorDepth].publicKey : keyCarriedBy(r);
    if (!anchorKey) continue;
    // With an anchor key from the record, the chain ends at the first certificate it signed.
    const top = anchorDepth ?? chain.findIndex((c) => safeVerify(c, anchorKey));
    if (top < 0) continue;
    const problem = chainProblem(chain, top, anchorDepth === null ? anchorKey : null, now);
    if (problem) {
      failures.push(`${f.text.slice(0, 14)}…: ${problem}`);
      continue;
    }
    const names = matchHostname(certificateFacts(leaf, now, false), commonNamesOf(leaf), referenceNames);
    nameMatch = names.match;
    if (!names.match) {
      failures.push(`DANE-TA matched, but the certificate names none of ${referenceNames.join(', ')}`);
      continue;
    }
    return { records: facts, authenticated: true, matchedBy: 'dane-ta', nameMatch: true, failure: null };
  }
  if (usable.length === 0) return { records: facts, authenticated: false, matchedBy: null, nameMatch: null, failure: 'no usable TLSA records' };
  const failure = failures.length ? failures.join('; ') : 'no usable TLSA record matches the certificate chain';
  return { records: facts, authenticated: false, matchedBy: null, nameMatch, failure };
}

/** 2 0 0 carries the anchor certificate, 2 1 0 its SubjectPublicKeyInfo (RFC 7671 §5.2.3). */
function keyCarriedBy(r: TlsaRecord): KeyObject | null {
  if (r.matchingType !== 0) return null;
  try {
    return r.selector === 0 ? new X509Certificate(r.data).publicKey : createPublicKey({ key: r.data, format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

/** Each certificate below `top` is issued and signed by the next, and every one is in date. */
function chainProblem(chain: X509Certificate[], top: number, extraAnchor: KeyObject | null, now: number): string | null {
  for (let i = 0; i < top; i++) {
    if (!chain[i].checkIssued(chain[i + 1]) || !safeVerify(chain[i], chain[i + 1].publicKey)) {
      return `certificate at depth ${i} is not issued by the one at depth ${i + 1}`;
    }
  }
  if (extraAnchor && !safeVerify(chain[top], extraAnchor)) return `certificate at depth ${top} is not signed by the TLSA key`;
  // The anchor's own dates do not matter (RFC 7671 §5.2.2: it is a key, not a certificate).
  const last = extraAnchor ? top : top - 1;
  for (let i = 0; i <= last; i++) {
    const from = Date.parse(chain[i].validFrom);
    const to = Date.parse(chain[i].validTo);
    if (now > to) return `certificate at depth ${i} expired ${chain[i].validTo}`;
    if (now < from) return `certificate at depth ${i} is not valid before ${chain[i].validFrom}`;
  }
  return null;
}

function safeVerify(cert: X509Certificate, key: KeyObject): boolean {
  try {
    return cert.verify(key);
  } catch {
    return false;
  }
}
