// TLS alerts by number (RFC 8446 §6, RFC 5246 §7.2 for the ones TLS 1.3 dropped, RFC 7507 for
// inappropriate_fallback), and the alert a failed Node handshake received, read from OpenSSL's
// error text ("...:SSL alert number 80"): Node 20 has no field for it.
import type { TlsAlert } from '../types.js';

const NAMES: Record<number, string> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 21: 'decryption_failed', 22: 'record_overflow',
  30: 'decompression_failure', 40: 'handshake_failure', 41: 'no_certificate', 42: 'bad_certificate',
  43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired', 46: 'certificate_unknown',
  47: 'illegal_parameter', 48: 'unknown_ca', 49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error',
  60: 'export_restriction', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 100: 'no_renegotiation', 109: 'missing_extension',
  110: 'unsupported_extension', 111: 'certificate_unobtainable', 112: 'unrecognized_name',
  113: 'bad_certificate_status_response', 114: 'bad_certificate_hash_value', 115: 'unknown_psk_identity',
  116: 'certificate_required', 120: 'no_application_protocol',
};

export function tlsAlert(description: number): TlsAlert {
  return { description, name: NAMES[description] ?? `alert_${description}` };
}

/** The alert a failed handshake received from the peer, or null (a local failure, a close, a timeout). */
export function receivedAlert(err: { message?: string }): TlsAlert | null {
  const m = /SSL alert number (\d+)/.exec(err.message ?? '');
  return m ? tlsAlert(Number(m[1])) : null;
}

/**
 * Alerts that are a server failing rather than refusing what was offered: RFC 8446 §6.2
 * internal_error is "unrelated to the peer or the correctness of the protocol". A unit that met
 * one was not tested; it was not refused.
 */
export function isServerFailure(alert: TlsAlert | null): boolean {
  return alert?.description === 80;
}

export function alertText(alert: TlsAlert): string {
  return `alert ${alert.description} ${alert.name}`;
}
