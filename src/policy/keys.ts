// Keys of a tls_policy table. postmap.c: the key ends at the first unquoted whitespace (backslash
// escapes, double quotes), the value is trimmed. What a key names: postconf(5) smtp_tls_policy_maps.
import { SPACE } from './lines.js';
import type { KeyKind } from './table-types.js';

const SERVICES: Readonly<Record<string, number>> = { smtp: 25, lmtp: 24, submission: 587, smtps: 465, submissions: 465 };

/** postmap: key up to the first unquoted whitespace; value trimmed. null when quotes are unbalanced. */
export function splitKeyValue(text: string): { key: string; value: string } | null {
  let inQuotes = false;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      if (++i >= text.length) break;
    } else if (SPACE.test(c)) {
      if (!inQuotes) break;
    } else if (c === '"') inQuotes = !inQuotes;
  }
  if (inQuotes) return null;
  return { key: text.slice(0, i), value: text.slice(i).trim() };
}

/** What kind of next-hop a key names (postconf(5) smtp_tls_policy_maps). */
export function parsePolicyKey(key: string): { keyKind: KeyKind; host: string; port?: number; service?: string } | { error: string } {
  let keyKind: KeyKind;
  let host: string;
  let rest: string;
  if (key.startsWith('[')) {
    const close = key.indexOf(']');
    if (close < 0) return { error: `missing "]" in "${key}"` };
    keyKind = 'host';
    host = key.slice(1, close).replace(/^ipv6:/i, '');
    rest = key.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return { error: `text after "]" in "${key}"` };
    rest = rest.slice(1);
    if (key.endsWith(':')) return { error: `empty port in "${key}"` };
  } else {
    const colon = key.indexOf(':');
    host = colon < 0 ? key : key.slice(0, colon);
    rest = colon < 0 ? '' : key.slice(colon + 1);
    if (colon >= 0 && (rest === '' || rest.includes(':'))) return { error: `"${key}" is neither domain, domain:port, [host] nor [host]:port (IPv6 addresses need brackets)` };
    keyKind = host.startsWith('.') ? 'pattern' : 'domain';
    if (keyKind === 'pattern') {
      if (rest !== '') return { error: `a ".domain" pattern cannot have a port: "${key}"` };
      host = host.slice(1);
    }
  }
  if (host === '') return { error: `empty host name in "${key}"` };
  if (rest === '') return { keyKind, host };
  if (/^\d+$/.test(rest)) {
    const port = Number(rest);
    if (port < 1 || port > 65535) return { error: `port out of range in "${key}"` };
    return { keyKind, host, port };
  }
  const known = SERVICES[rest];
  return known ? { keyKind, host, port: known, service: rest } : { keyKind, host, service: rest };
}

/** valid_hostname(): labels of letters, digits, "-" and "_", not starting/ending with "-", ≤ 255. */
export function validHostname(name: string): boolean {
  if (name.length === 0 || name.length > 255 || /^\d+(\.\d+)*$/.test(name)) return false;
  return name.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(l));
}
