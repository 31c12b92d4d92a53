// JSON and NDJSON: the result shapes of src/types.ts, nothing added. Every string is made
// terminal-safe by the one sanitizer (sanitize.ts safeJson): a script's `jq -r` never puts a
// server's control characters on a terminal.
//
// toJson(value)    → pretty JSON (2-space indent) and "\n". Callers that may produce several
//                    probes (an MX lookup, several destinations, -f) always pass an array, so a
//                    script sees one shape whatever DNS returned.
// toNdjsonLine(v)  → one compact line ending in "\n", safe to write as soon as a result is ready.
import { safeJson } from './sanitize.js';

/**
 * BigInt (e.g. an RSA public exponent that slipped through) becomes a decimal string instead of
 * making JSON.stringify throw; undefined keys (`pem`, `transcript` when not asked for) are
 * left out by JSON.stringify itself.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function toJson(input: unknown): string {
  return `${safeJson(JSON.stringify(input, jsonReplacer, 2))}\n`;
}

/** One NDJSON line (U+2028/U+2029, which some line readers split on, are escaped by safeJson). */
export function toNdjsonLine(value: unknown): string {
  return `${safeJson(stringifyCompact(value))}\n`;
}

/**
 * JSON.stringify without a replacer is about twice as fast (one line per probe of a long list);
 * only a BigInt makes it throw, and then the replacer writes it as a decimal string.
 */
function stringifyCompact(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof TypeError && /BigInt/i.test(err.message)) return JSON.stringify(value, jsonReplacer);
    throw err;
  }
}
