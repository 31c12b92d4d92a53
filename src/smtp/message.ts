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
 */
export function encodeData(message: string | Buffer): Buffer {
  const text = Buffer.isBuffer(message) ? message.toString('latin1') : message;
  let body = text.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
  if (!body.endsWith('\r\n')) body += '\r\n';
  return Buffer.from(`${body}.\r\n`, 'latin1');
}
