import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * Default EHLO name: this host's fully qualified name (RFC 5321 §4.1.4). When
 * the kernel hostname has no dot, /etc/mailname (Debian's MTA name) is a real
 * name of this host; otherwise the short hostname is all there is, and we use
 * it rather than invent a domain.
 */
export function defaultEhloName(): string {
  if (cached) return cached;
  const name = hostname().toLowerCase();
  if (name.includes('.')) return (cached = name);
  try {
    const mailname = readFileSync('/etc/mailname', 'utf8').trim().toLowerCase();
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(mailname)) return (cached = mailname);
  } catch {
    // no /etc/mailname: fall through
  }
  return (cached = name || 'localhost');
}
