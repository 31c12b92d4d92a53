// The MTA-STS policy file (RFC 8461 §3.2): "key: value" lines, CRLF or LF.
//   version: STSv1 / mode: enforce|testing|none / mx: pattern (repeat) / max_age: seconds
import type { MtaStsFacts } from '../types.js';

export type StsPolicy = NonNullable<MtaStsFacts['policy']>;

/** RFC 8461 §3.2: max_age up to 31557600 (about a year). */
export const MAX_AGE_LIMIT = 31_557_600;

export function parseStsPolicy(text: string): StsPolicy | { error: string } {
  const fields = new Map<string, string[]>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { error: `malformed line "${line.slice(0, 60)}"` };
    const key = line.slice(0, colon).trim().toLowerCase();
    const list = fields.get(key) ?? [];
    list.push(line.slice(colon + 1).trim());
    fields.set(key, list);
  }
  const one = (key: string) => fields.get(key)?.[0];
  const version = one('version');
  if (version !== 'STSv1') return { error: version === undefined ? 'no "version: STSv1" line' : `unknown version "${version}"` };
  const mode = one('mode');
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return { error: mode === undefined ? 'no mode line' : `unknown mode "${mode}"` };
  const maxAgeText = one('max_age');
  if (maxAgeText === undefined || !/^\d{1,10}$/.test(maxAgeText)) return { error: maxAgeText === undefined ? 'no max_age line' : `invalid max_age "${maxAgeText}"` };
  const maxAge = Number(maxAgeText);
  if (maxAge > MAX_AGE_LIMIT) return { error: `max_age ${maxAge} exceeds ${MAX_AGE_LIMIT}` };
  const mx = (fields.get('mx') ?? []).map((m) => m.toLowerCase().replace(/\.$/, ''));
  if (mode !== 'none' && mx.length === 0) return { error: `mode ${mode} needs at least one mx line` };
  return { version, mode, mx, maxAge };
}

/**
 * RFC 8461 §4.1: an mx pattern is a host name, or "*." and a domain that matches
 * exactly one more leftmost label ("*.example.com" matches "mx.example.com", not
 * "a.b.example.com" nor "example.com").
 */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p.startsWith('*.')) {
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  }
  return p === h;
}
