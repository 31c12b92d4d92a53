// Options of the DNS-published mail policies (DANE, MTA-STS, TLSRPT).
import { X509Certificate } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { ProbeOptions } from '../types.js';
import { daneBased } from '../levels.js';

/** Any DNS-published policy asked for: then lookups go through the dns-packet resolver. */
export function wantsPolicyDns(options: Pick<ProbeOptions, 'mtaSts' | 'tlsrpt'> & { level?: ProbeOptions['level'] }): boolean {
  return daneBased(options.level) || !!options.mtaSts || !!options.tlsrpt;
}
