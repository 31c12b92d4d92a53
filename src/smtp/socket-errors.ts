import type { ErrorCode } from '../types.js';

/** Map a Node socket error to a stable error code and a short message. */
export function classifySocketError(err: Error & { code?: string; reason?: string }): { code: ErrorCode; message: string } {
  // A TLS alert after the handshake "completed" (TLS 1.3 client-certificate checks
  // happen after our Finished) is still a TLS failure, not a plain close.
  if (err.code?.startsWith('ERR_SSL_')) return { code: 'tls-handshake', message: `TLS failure: ${err.reason ?? err.message}` };
  switch (err.code) {
    case 'ECONNREFUSED':
      return { code: 'refused', message: 'connection refused' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { code: 'reset', message: 'connection reset by server' };
    case 'ETIMEDOUT':
      return { code: 'timeout', message: 'connection timed out' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return { code: 'unreachable', message: `host unreachable (${err.code})` };
    default:
      return { code: 'closed', message: `connection failed: ${err.message}` };
  }
}
