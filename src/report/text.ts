// Small text helpers shared by the renderers. Everything from outside goes through the one
// sanitizer (sanitize.ts) before it reaches a terminal.
import { isIP } from '../ip.js';
import type { ProbeResult } from '../types.js';
import { clean, cleanLines } from './sanitize.js';

export { clean, cleanLines } from './sanitize.js';

/**
 * A distinguished name on one line. Node's X509Certificate prints one RDN per line
 * ("CN=a\nO=b"); we show "CN=a, O=b".
 */
export function oneLineName(name: string): string {
  return cleanLines(name.trim())
    .filter((l) => l !== '')
    .join(', ');
}

/** `host[address]:port` like Postfix logs it; `[address]:port` when the host is that address. */
export function hostLabel(r: Pick<ProbeResult, 'host' | 'address' | 'port'>): string {
  const host = clean(r.host);
  if (r.address === null) return isIP(r.host) ? `[${host}]:${r.port}` : `${host}:${r.port}`;
  const address = clean(r.address);
  return r.host === r.address ? `[${address}]:${r.port}` : `${host}[${address}]:${r.port}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${Math.abs(n) === 1 ? one : many}`;
}

/** "expires in 61 days", "expires today", "expired 3 days ago". */
export function expiryPhrase(daysRemaining: number): string {
  if (daysRemaining > 0) return `expires in ${plural(daysRemaining, 'day')}`;
  if (daysRemaining === 0) return 'expires today';
  return `expired ${plural(-daysRemaining, 'day')} ago`;
}

/** "142 ms"; below 10 ms one decimal is kept. */
export function formatMs(ms: number): string {
  return `${formatNumberMs(ms)} ms`;
}

/** "142", or "2.5" below 10 ms where the fraction still says something. */
export function formatNumberMs(ms: number): string {
  return ms < 10 && !Number.isInteger(ms) ? ms.toFixed(1) : String(Math.round(ms));
}

/** Uppercase colon hex split into lines of `bytesPerLine` bytes, so it fits a narrow column. */
export function fingerprintLines(fingerprint: string, bytesPerLine = 16): string {
  const bytes = fingerprint.split(':');
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += bytesPerLine) lines.push(bytes.slice(i, i + bytesPerLine).join(':'));
  return lines.join('\n');
}
