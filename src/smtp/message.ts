import { randomBytes } from 'node:crypto';

/** A small test message with the headers RFC 5322 §3.6 requires, plus a Subject. */
export function testMessage(from: string, to: string[], ehloName: string, now = new Date()): string {
  const id = `${now.getTime().toString(36)}.${randomBytes(6).toString('hex')}@${ehloName}`;
  return [
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `From: <${from || `mxprobe@${ehloName}`}>`,
    `To: ${to.map((t) => `<${t}>`).join(', ')}`,
    `Message-ID: <${id}>`,
    'Subject: mxprobe TLS test message',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This message was sent by mxprobe to test TLS delivery. It needs no action.',
    '',
  ].join('\r\n');
}

/**
 * Encode a message for DATA: CRLF line ends, leading dots doubled (RFC 5321
 * §4.5.2), and the terminating <CRLF>.<CRLF>.
 *
 * RFC 5321 §2.3.8 and §4.1.1.4: a client MUST NOT send a bare CR or a bare LF.
 * Both are taken as line breaks and sent as CRLF: a lone CR in a message file is an
 * old Mac line end far more often than anything meant to stay inside a line, and
 * dropping it could glue two lines (or two headers) together. Text is worked on byte by byte
 * (latin1 maps each byte to one char), so UTF-8 in a string message reaches the wire
 * as UTF-8, and no multibyte sequence can hide a CR or LF.
 */
export function encodeData(message: string | Buffer): Buffer {
  const bytes = Buffer.isBuffer(message) ? message : Buffer.from(message, 'utf8');
  let body = bytes.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n').replace(/(^|\r\n)\./g, '$1..');
  if (!body.endsWith('\r\n')) body += '\r\n';
  return Buffer.from(`${body}.\r\n`, 'latin1');
}
