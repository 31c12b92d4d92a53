// Options of the DNS-published mail policies (DANE, MTA-STS, TLSRPT), checked once
// in resolveOptions so a bad --next-cert is a usage error before the first packet.
import type { X509Certificate } from 'node:crypto';
import { UsageError } from '../errors.js';
import { readPemCertificates } from '../pem.js';
import type { Level, ProbeOptions } from '../types.js';
import { DEFAULT_FETCH_TIMEOUT_MS } from '../mta-sts/fetch.js';

export interface PolicyResolvedOptions {
  /** --next-cert: the next certificate, then its chain, as in the PEM file. */
  nextCert: X509Certificate[] | undefined;
  mtaSts: boolean;
  tlsrpt: boolean;
  mtaStsPort: number;
  mtaStsTimeoutMs: number;
  /** --resolver given: name lookups of the MTA-STS fetch go there too. */
  resolver: string[];
}

export const isDaneLevel = (level: Level | undefined): boolean => level === 'dane' || level === 'dane-only';

export function resolvePolicyOptions(options: ProbeOptions, level: Level): PolicyResolvedOptions {
  let nextCert: X509Certificate[] | undefined;
  if (options.nextCert !== undefined) {
    if (!isDaneLevel(level)) throw new UsageError('--next-cert checks published TLSA records: use it with --level dane or dane-only');
    nextCert = readPemCertificates(options.nextCert, '--next-cert').certificates;
  }
  const port = options.mtaStsPort ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--mta-sts-port must be 1-65535, got ${port}`);
  return {
    nextCert,
    mtaSts: options.mtaSts ?? false,
    tlsrpt: options.tlsrpt ?? false,
    mtaStsPort: port,
    mtaStsTimeoutMs: options.mtaStsTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    resolver: options.resolver ?? [],
  };
}

/** Any DNS-published policy asked for: then lookups go through the dns-packet resolver. */
export function wantsPolicyDns(options: ProbeOptions): boolean {
  return isDaneLevel(options.level) || !!options.mtaSts || !!options.tlsrpt;
}
