// Options of the DNS-published mail policies (DANE, MTA-STS, TLSRPT).
import { X509Certificate } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { ProbeOptions } from '../types.js';
import { daneBased } from '../levels.js';

/** Every CERTIFICATE block of a PEM text, in order; keys and other blocks are skipped. */
export function parsePemCertificates(pem: string, flag: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`${flag}: no PEM certificate found`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch (err) {
      throw new UsageError(`${flag}: certificate ${i + 1} cannot be parsed: ${(err as Error).message}`);
    }
  });
}

/** Any DNS-published policy asked for: then lookups go through the dns-packet resolver. */
export function wantsPolicyDns(options: Pick<ProbeOptions, 'mtaSts' | 'tlsrpt'> & { level?: ProbeOptions['level'] }): boolean {
  return daneBased(options.level) || !!options.mtaSts || !!options.tlsrpt;
}
