// RFC 8689 REQUIRETLS: is it advertised inside TLS, and the MAIL FROM parameter when asked for.
// The server advertises it only after STARTTLS (RFC 8689 §4.1); a client that cannot send it
// must not send the message (§4.2.1), which is what the 5.7.30 status of §6 words.
import { ProbeError } from '../errors.js';
import type { ProbeResult } from '../types.js';
import { hasCapability } from './capabilities.js';

/** Records whether REQUIRETLS is advertised inside TLS (only once TLS is up: before it, it means nothing). */
export function recordRequireTls(result: ProbeResult, requested: boolean): void {
  if (!result.tls || !result.smtp.ehloTls) return;
  result.smtp.requireTls = { offered: hasCapability(result.smtp.ehloTls, 'REQUIRETLS'), requested };
}

/** Before MAIL: with REQUIRETLS asked for, a server that does not advertise it inside TLS gets no MAIL. */
export function checkRequireTls(result: ProbeResult, requested: boolean): void {
  if (!requested || result.smtp.requireTls?.offered) return;
  const why = result.tls ? 'the server does not advertise REQUIRETLS in its EHLO reply inside TLS' : 'TLS is not established';
  throw new ProbeError('mail', 'requiretls-not-offered', `5.7.30 REQUIRETLS support required: ${why} (RFC 8689 §4.2.1), so no MAIL FROM ... REQUIRETLS was sent`);
}

/** The MAIL FROM parameters this module adds (RFC 8689 §4.2.1: "REQUIRETLS", no value). */
export const mailParameters = (requested: boolean): string => (requested ? ' REQUIRETLS' : '');
