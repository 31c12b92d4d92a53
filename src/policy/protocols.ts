// Postfix TLS protocol grammar (smtp_tls_protocols, smtp_tls_mandatory_protocols, the tls_policy
// `protocols=` attribute) and its mapping to Node's tls options.
//
// Grammar, as tls_proto_mask_lims() in postfix/src/tls/tls_misc.c parses it (Postfix 3.6+):
// tokens separated by comma, whitespace or colon; `>=V` sets the floor, `<=V` the ceiling (V is a
// protocol name, "None", or a hex wire version such as 0303/0x0303; the last one wins); `!NAME`
// excludes a protocol; a bare NAME includes it, and a non-empty include list also excludes every
// known protocol it does not name. Names are matched case-insensitively (name_code()).
// Postfix then applies the exclusions as SSL_OP_NO_* bits plus SSL_set_min/max_proto_version.
//
// Holes: OpenSSL cannot use a non-contiguous set. With versions excluded in the middle it keeps the
// LOWEST contiguous run above the floor (ssl_get_min_max_version; postconf(5): "disabling any
// higher version implicitly disables all versions above that higher version", e.g.
// "!SSLv2, !SSLv3, !TLSv1.1" leaves only TLSv1). Verified on this machine with Node 20 /
// OpenSSL 3.0: secureOptions NO_TLSv1_2 over TLSv1..TLSv1.3 negotiates TLSv1.1, NO_TLSv1_1 gives
// TLSv1. We compute that same run and express it as Node's minVersion/maxVersion, so Node needs
// no secureOptions and behaves exactly as Postfix's OpenSSL would.
import { UsageError } from '../errors.js';

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
export type ProtocolName = 'SSLv2' | 'SSLv3' | TlsVersion;

/** Postfix's protocol_table, in wire-version order. */
export const PROTOCOL_NAMES: readonly ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const NODE_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const WIRE: Record<ProtocolName, number> = {
  SSLv2: 0x0200, SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304,
};

/** What Postfix itself derives from a protocol list (tls_proto_mask_lims). */
export interface PostfixProtocolSpec {
  /** Protocols excluded: the `!NAME`s plus, with an include list, every known protocol not named. */
  excluded: ProtocolName[];
  /** Protocols named without `!` (empty when none were). */
  included: ProtocolName[];
  /** `>=` wire version (0x0303 = TLS 1.2); null when unset or ">=None"/">=0". */
  floor: number | null;
  /** `<=` wire version; null when unset. */
  ceiling: number | null;
}

/** The Postfix protocol list as Node tls options, plus what the caller must know. */
export interface NodeProtocols {
  /** Lowest version Node may negotiate (always set: Node 20's own default is TLSv1.2, Postfix's is TLSv1). */
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** Excluded protocols (Postfix's mask), for reporting. */
  excluded: ProtocolName[];
  /** TLS 1.0/1.1 are in range: under OpenSSL 3 they need `@SECLEVEL=0` in the cipher string. */
  needsSeclevel0: boolean;
  /** Where the effective range differs from the list as written (holes, clamps, SSL versions). */
  notes: string[];
}

const VALID_HINT = 'valid: SSLv2, SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, >=VERSION, <=VERSION, !NAME';

function protocolByName(tok: string): ProtocolName | null {
  const lower = tok.toLowerCase();
  return PROTOCOL_NAMES.find((p) => p.toLowerCase() === lower) ?? null;
}

/** parse_tls_version(): a name from tls_version_table ("None", SSLv3..TLSv1.3) or hex. */
function parseVersion(tok: string, list: string): number | null {
  if (tok.toLowerCase() === 'none') return null;
  const named = protocolByName(tok);
  if (named && named !== 'SSLv2') return WIRE[named];
  // strtoul(tok, &end, 16): optional 0x prefix, hex digits; an empty string is 0 (no bound).
  if (/^((0[xX])?[0-9a-fA-F]+)?$/.test(tok)) {
    const v = tok === '' ? 0 : parseInt(tok.replace(/^0[xX]/, ''), 16);
    if (v <= 0x7fffffff) return v === 0 ? null : v;
  }
  throw new UsageError(`invalid TLS protocol list "${list}": unknown protocol version "${tok}" (${VALID_HINT})`);
}

/** Parse a Postfix protocol list exactly as Postfix does; unknown names are a UsageError. */
export function parsePostfixProtocols(list: string): PostfixProtocolSpec {
  const excluded = new Set<ProtocolName>();
  const included = new Set<ProtocolName>();
  let floor: number | null = null;
  let ceiling: number | null = null;
  for (const tok of list.split(/[,: \t\r\n]+/).filter(Boolean)) {
    if (tok.startsWith('>=')) floor = parseVersion(tok.slice(2), list);
    else if (tok.startsWith('<=')) ceiling = parseVersion(tok.slice(2), list);
    else {
      const neg = tok.startsWith('!');
      const p = protocolByName(neg ? tok.slice(1) : tok);
      if (!p) throw new UsageError(`invalid TLS protocol list "${list}": unknown protocol "${tok}" (${VALID_HINT})`);
      (neg ? excluded : included).add(p);
    }
  }
  if (included.size > 0) for (const p of PROTOCOL_NAMES) if (!included.has(p)) excluded.add(p);
  const order = (a: ProtocolName, b: ProtocolName) => WIRE[a] - WIRE[b];
  return { excluded: [...excluded].sort(order), included: [...included].sort(order), floor, ceiling };
}

function versionName(wire: number): string {
  const p = PROTOCOL_NAMES.find((n) => WIRE[n] === wire);
  return p ?? `0x${wire.toString(16).padStart(4, '0')}`;
}

/**
 * Map Postfix's view onto Node 20: the contiguous run OpenSSL would use. A UsageError when the
 * list explicitly asks for SSLv2/SSLv3 (this OpenSSL has no SSL 2/3 and Node cannot go below
 * TLSv1), names a version beyond TLSv1.3 as floor, or leaves nothing.
 */
export function toNodeProtocols(spec: PostfixProtocolSpec, list = ''): NodeProtocols {
  const notes: string[] = [];
  const where = list ? `TLS protocol list "${list}"` : 'TLS protocol list';
  const asked = spec.included.filter((p) => p === 'SSLv2' || p === 'SSLv3');
  if (asked.length > 0) {
    throw new UsageError(`${where}: ${asked.join(' and ')} ${asked.length > 1 ? 'are' : 'is'} not supported by this OpenSSL build (Node 20 offers TLSv1 to TLSv1.3)`);
  }
  if (spec.floor !== null && spec.floor < WIRE.TLSv1) {
    throw new UsageError(`${where}: >=${versionName(spec.floor)} is not supported by this OpenSSL build (Node 20 cannot go below TLSv1)`);
  }
  if (spec.floor !== null && spec.floor > WIRE['TLSv1.3']) {
    // Postfix only logs "error setting minimum TLS version" and carries on with no floor at all.
    throw new UsageError(`${where}: TLS version ${versionName(spec.floor)} is not known to this OpenSSL`);
  }
  if (spec.ceiling !== null && spec.ceiling > WIRE['TLSv1.3']) {
    notes.push(`<=${versionName(spec.ceiling)} is above TLSv1.3, the highest this OpenSSL knows: ceiling TLSv1.3`);
  }
  const floor = spec.floor ?? 0;
  const ceiling = spec.ceiling ?? Infinity;
  const enabled = (v: TlsVersion) => WIRE[v] >= floor && WIRE[v] <= ceiling && !spec.excluded.includes(v);
  // OpenSSL: start at the lowest enabled version, stop at the first disabled one above it.
  const start = NODE_VERSIONS.findIndex(enabled);
  if (start < 0) throw new UsageError(`${where}: no TLS protocol version is left to offer`);
  let end = start;
  while (end + 1 < NODE_VERSIONS.length && enabled(NODE_VERSIONS[end + 1])) end++;
  const minVersion = NODE_VERSIONS[start];
  const maxVersion = NODE_VERSIONS[end];
  const dropped = NODE_VERSIONS.slice(end + 1).filter(enabled);
  if (dropped.length > 0) {
    notes.push(`${dropped.join(', ')} ${dropped.length > 1 ? 'are' : 'is'} unreachable: OpenSSL uses only the lowest contiguous range ${minVersion}..${maxVersion} when a version in between is excluded`);
  }
  if (spec.excluded.length > 0 && !spec.excluded.includes('SSLv3') && floor < WIRE.TLSv1) {
    notes.push('SSLv3 is not excluded, but this OpenSSL build has no SSLv3: the range starts at TLSv1');
  }
  return {
    minVersion,
    maxVersion,
    excluded: spec.excluded,
    needsSeclevel0: WIRE[minVersion] < WIRE['TLSv1.2'],
    notes,
  };
}

/** `--protocols` / `protocols=`: Postfix grammar straight to Node options. Empty = all protocols. */
export function parseProtocols(list: string): NodeProtocols {
  return toNodeProtocols(parsePostfixProtocols(list), list);
}

/** The protocols the list leaves enabled in Postfix's terms (for lints): every known name not excluded and inside the bounds. */
export function enabledProtocols(spec: PostfixProtocolSpec): ProtocolName[] {
  return PROTOCOL_NAMES.filter((p) => !spec.excluded.includes(p)
    && (spec.floor === null || WIRE[p] >= spec.floor)
    && (spec.ceiling === null || WIRE[p] <= spec.ceiling));
}
