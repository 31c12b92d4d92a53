// Table sections for a submission walk: SMTP AUTH (mechanisms offered before and after TLS,
// what was sent, the reply), the client certificate presented, the relay comparison and
// REQUIRETLS. Same shape as the DNS-policy sections (report/dane.ts policySections) so the
// probe table adds them the same way. No credential ever reaches a result, so none is here.
import type { ProbeResult } from '../types.js';
import type { Pair, Section } from './dane.js';
import { clean, cleanLines, fingerprintLines } from './text.js';
import { describeReply } from '../smtp/reply.js';

export function submissionSections(r: ProbeResult): Section[] {
  const out: Section[] = [];
  if (r.smtp.auth) out.push({ title: 'SMTP AUTH', rows: authRows(r) });
  if (r.tls?.clientCertificate) out.push({ title: 'Client certificate', rows: clientCertificateRows(r) });
  if (r.relay) out.push({ title: 'Relay with and without the certificate', rows: relayRows(r) });
  const rt = r.smtp.requireTls;
  if (rt && (rt.requested || rt.offered)) out.push({ title: 'REQUIRETLS (RFC 8689)', rows: [['offered in TLS', rt.offered ? 'yes' : 'no'], ['requested', rt.requested ? 'yes (MAIL FROM ... REQUIRETLS)' : 'no']] });
  return out;
}

const mechanisms = (list: string[] | null, none: string) => (list === null ? none : list.length ? list.map(clean).join(' ') : 'none');
const replyText = (reply: { code: number; enhanced: string | null; text: string }) => cleanLines(describeReply(reply)).join(' ');

function authRows(r: ProbeResult): Pair[] {
  const a = r.smtp.auth!;
  const rows: Pair[] = [
    ['before TLS', mechanisms(a.offeredBeforeTls, 'no EHLO before TLS (implicit TLS)')],
    ['after TLS', mechanisms(a.offeredAfterTls, 'TLS not reached')],
    ['mechanism', a.mechanism ? `${a.mechanism}${a.plaintext ? ' — sent WITHOUT TLS (--auth-insecure)' : ', inside TLS'}` : 'none: no credentials sent'],
    ['result', a.reply ? `${a.authenticated ? 'authenticated' : 'refused'}: ${replyText(a.reply)}` : a.mechanism ? 'no reply' : '-'],
  ];
  if (a.serverVerified !== null) rows.push(['server proof', a.serverVerified ? 'SCRAM server signature verified' : 'SCRAM server signature not verified']);
  return rows;
}

function clientCertificateRows(r: ProbeResult): Pair[] {
  const c = r.tls!.clientCertificate!;
  const requested = c.requested === null ? 'not visible to mxprobe (the CertificateRequest is not exposed; TLS 1.3 encrypts it)' : c.requested ? 'yes' : 'no';
  const sent = c.sent === null ? 'when asked' : c.sent ? 'yes' : 'no';
  const d = c.fingerprints.digest;
  return [
    ['subject', clean(c.subject)],
    ['server asked', requested],
    ['sent', sent],
    [`cert ${d}`, fingerprintLines(clean(c.fingerprints.certificate))],
    [`pkey ${d}`, fingerprintLines(clean(c.fingerprints.publicKey))],
  ];
}

function relayRows(r: ProbeResult): Pair[] {
  const x = r.relay!;
  const list = (replies: typeof x.withCertificate) => replies.map((reply) => `${clean(reply.command.replace(/^RCPT TO:/, ''))} → ${replyText(reply)}`).join('\n');
  const verdict = x.permittedByCertificate === null ? 'not comparable' : x.permittedByCertificate ? 'the certificate permits the relay' : 'no difference';
  return [
    ['with certificate', list(x.withCertificate) || '-'],
    ['without', x.withoutCertificate.length ? list(x.withoutCertificate) : `not reached: ${clean(x.withoutCertificateError?.message ?? '-')}`],
    ['verdict', verdict],
  ];
}
