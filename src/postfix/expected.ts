// What a configured smtpd should serve, in the terms a probe can observe: which protocol
// versions its OpenSSL accepts for a Postfix protocol list (the grammar and OpenSSL's
// lowest-contiguous-range rule live in src/policy/protocols.ts; this only asks them).
import { enabledProtocols, parsePostfixProtocols, toNodeProtocols, PROTOCOL_NAMES, type ProtocolName } from '../policy/protocols.js';

export interface ExpectedProtocols {
  /** Per protocol: does the server's OpenSSL accept it with this list? */
  accepts: Record<ProtocolName, boolean>;
  /** Postfix itself enables it (SSLv2/SSLv3 included, which OpenSSL 3 cannot speak). */
  enabled: Record<ProtocolName, boolean>;
  /** The lowest and highest accepted version, null when none is left. */
  range: { min: ProtocolName; max: ProtocolName } | null;
}

const RANK = (p: ProtocolName) => PROTOCOL_NAMES.indexOf(p);

/** Throws UsageError for a list Postfix would reject ("Invalid TLS protocol list"). */
export function expectedProtocols(list: string): ExpectedProtocols {
  const spec = parsePostfixProtocols(list);
  const enabled = Object.fromEntries(PROTOCOL_NAMES.map((p) => [p, enabledProtocols(spec).includes(p)])) as Record<ProtocolName, boolean>;
  // OpenSSL 3 has no SSL 2/3: ask the TLS part of the list for its contiguous range.
  let range: ExpectedProtocols['range'] = null;
  try {
    const tlsOnly = { ...spec, included: spec.included.filter((p) => !p.startsWith('SSL')), floor: spec.floor !== null && spec.floor < 0x0301 ? null : spec.floor };
    if (spec.included.length === 0 || tlsOnly.included.length > 0) {
      const node = toNodeProtocols(tlsOnly);
      range = { min: node.minVersion, max: node.maxVersion };
    }
  } catch {
    range = null; // nothing left to offer
  }
  const accepts = Object.fromEntries(PROTOCOL_NAMES.map((p) => [p, range !== null && RANK(p) >= RANK(range.min) && RANK(p) <= RANK(range.max)])) as Record<ProtocolName, boolean>;
  return { accepts, enabled, range };
}

export const protocolRank = RANK;
