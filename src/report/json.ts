// JSON and NDJSON: the ProbeResult shapes of src/types.ts, nothing added, nothing printed.
//
// toJson(result)   → one pretty object (2-space indent) for one probe.
// toJson(results)  → a pretty array, even of length 0 or 1. Callers that may produce several
//                    probes (an MX lookup, several destinations, -f) should always pass an array,
//                    so a script sees one shape whatever DNS returned.
// toNdjsonLine(r)  → one compact line ending in "\n", safe to write as soon as a probe ends.
import type { ProbeResult } from '../types.js';

/**
 * BigInt (e.g. an RSA public exponent that slipped through) becomes a decimal string instead of
 * making JSON.stringify throw; undefined keys (`pem`, `transcript` when not asked for) are
 * left out by JSON.stringify itself.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

export function toJson(input: ProbeResult | readonly ProbeResult[]): string {
  return `${JSON.stringify(input, jsonReplacer, 2)}\n`;
}

/**
 * One NDJSON line. JSON.stringify escapes "\n" inside strings already; U+2028/U+2029 are
 * escaped too, because some line readers (Python's str.splitlines, old JS eval) split on them.
 */
export function toNdjsonLine(result: ProbeResult): string {
  const line = JSON.stringify(result, jsonReplacer).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `${line}\n`;
}
