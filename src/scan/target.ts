import type { Mode } from '../types.js';

/** One server to scan, with the core's deadlines (src/smtp/limits.ts defaults). */
export interface ScanTarget {
  host: string;
  address: string;
  port: number;
  mode: Exclude<Mode, 'plain'>;
  /** SNI; null for IP literals (RFC 6066 §3). */
  servername: string | null;
  ehlo: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  bannerTimeoutMs: number;
  tlsTimeoutMs: number;
}
