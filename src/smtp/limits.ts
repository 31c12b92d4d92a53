import { optionDefault } from '../cli-options.js';
// Bounds on what a server may send (DESIGN.md "Never trust the server").
// RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; we accept 16x that
// because real servers send long EHLO lines, but never an unbounded buffer.
export const MAX_LINE_BYTES = 8 * 1024;
export const MAX_REPLY_LINES = 1000;
export const MAX_REPLY_BYTES = 64 * 1024;
export const MAX_CHAIN_CERTIFICATES = 20;

/** The option table's defaults (src/cli-options.ts), for code that has no ResolvedOptions. */
export const DEFAULT_TIMEOUTS = {
  get connectTimeoutMs(): number { return optionDefault<number>('connect-timeout'); },
  get timeoutMs(): number { return optionDefault<number>('timeout'); },
  get bannerTimeoutMs(): number { return optionDefault<number>('banner-timeout'); },
  get tlsTimeoutMs(): number { return optionDefault<number>('tls-timeout'); },
};
