// The `match=` / `--match` lists of the Postfix levels, and level names as users type them.
// The level rules themselves are src/levels.ts's.
//
// Level names: tls_level_table in postfix/src/tls/tls_level.c, case-insensitive ("halfdane" is
// output-only and rejected as input). The old `MUST` (= verify) and `MUST_NOPEERMATCH`
// (= encrypt) exist only in the obsolete smtp_tls_per_site table (tls_site_lookup in
// smtp_tls_policy.c); in tls_policy they are an "invalid security level".
//
// match=: tls_policy_lookup_one() splits on "|" at fingerprint (":" is inside digests) and on ":"
// at verify/secure; repeated match= attributes append. Any other level rejects the attribute.
// Digests are decoded by hex_decode_opt(HEX_DECODE_FLAG_ALLOW_COLON) (postfix/src/util/hex_code.c):
// hex pairs, optionally one ":" between pairs, no leading/trailing colon. Names (add_namechecks in
// postfix/src/tls/tls_client.c): the keywords hostname, nexthop, dot-nexthop (case-insensitive),
// ".example.com" for any subdomain, anything else an exact name; "." alone is ignored.
import { UsageError } from '../errors.js';
import type { Level } from '../types.js';
import { LEVELS, lookupLevel, takesMatch } from '../levels.js';

/** smtp_tls_per_site values (obsolete table) → the level Postfix uses for them. */
export const PER_SITE_LEVELS: Readonly<Record<string, Level>> = {
  none: 'none', may: 'may', must_nopeermatch: 'encrypt', must: 'verify',
};

/** `--level`: a Postfix level name; a UsageError naming the valid ones (and the per-site aliases). */
export function parseLevel(s: string): Level {
  const level = lookupLevel(s.trim());
  if (level) return level;
  const legacy = PER_SITE_LEVELS[s.trim().toLowerCase()];
  if (legacy) {
    throw new UsageError(`invalid security level "${s}": that is a smtp_tls_per_site value; use "${legacy}"`);
  }
  throw new UsageError(`invalid security level "${s}" (valid: ${LEVELS.join(', ')})`);
}

/** Largest digest Postfix takes (EVP_MAX_MD_SIZE = 64 bytes, 3 chars per byte). */
const MAX_DIGEST_BYTES = 64;

/** hex_decode_opt with colons allowed → uppercase colon hex, or null when Postfix would refuse it. */
export function normalizeDigest(s: string): string | null {
  if (s.length === 0 || s.length > 3 * MAX_DIGEST_BYTES) return null;
  if (!/^[0-9a-fA-F]{2}(:?[0-9a-fA-F]{2})*$/.test(s)) return null;
  const hex = s.replace(/:/g, '').toUpperCase();
  return hex.match(/../g)!.join(':');
}

export type MatchKind = 'hostname' | 'nexthop' | 'dot-nexthop' | 'suffix' | 'exact';

/** What one name of a verify/secure match list means. */
export function classifyMatchName(name: string): MatchKind {
  const l = name.toLowerCase();
  if (l === 'hostname' || l === 'nexthop' || l === 'dot-nexthop') return l;
  return l.startsWith('.') ? 'suffix' : 'exact';
}

/** Split a match value as Postfix does: "table" = tls_policy attribute, "cli" = --match / main.cf. */
export function splitMatch(level: Level, value: string, syntax: 'table' | 'cli'): string[] {
  const sep = level === 'fingerprint'
    ? (syntax === 'table' ? /\|/ : /[|, \t\r\n]+/)
    : (syntax === 'table' ? /:/ : /[:, \t\r\n]+/);
  return value.split(sep).map((v) => v.trim()).filter(Boolean);
}

/**
 * `--match` values (repeat the flag or use the separators) or a tls_policy `match=` value, checked
 * and normalised: digests to uppercase colon hex, names to lowercase. A UsageError for a level
 * that takes no match list, a malformed digest, or the name ".".
 */
export function parseMatch(level: Level, value: string | readonly string[], syntax: 'table' | 'cli' = 'cli'): string[] {
  const values = (typeof value === 'string' ? [value] : value).flatMap((v) => splitMatch(level, v, syntax));
  if (!takesMatch(level)) {
    throw new UsageError(`match list is not used at security level "${level}" (only fingerprint, verify, secure)`);
  }
  if (values.length === 0) throw new UsageError('empty match list');
  if (level === 'fingerprint') {
    return values.map((v) => {
      const d = normalizeDigest(v);
      if (!d) throw new UsageError(`malformed fingerprint value: ${v.slice(0, 100)} (hex pairs, colons optional)`);
      return d;
    });
  }
  return values.map((v) => {
    if (v === '.') throw new UsageError('invalid match name: "."');
    return v.toLowerCase();
  });
}
