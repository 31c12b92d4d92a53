// The default output for one probe: the verdict line, then one table with sections
// (connection, SMTP, TLS, certificate chain, verification, findings). Fits 100 columns.
import type { CertificateFacts, ProbeResult, TlsFacts } from '../types.js';
import { palette, type Palette } from './color.js';
import { makeTable } from './layout.js';
import { errorPhrase, verdictLine } from './verdict.js';
import { policySections } from './dane.js';
import { submissionSections } from './submission.js';
import { clean, cleanLines, expiryPhrase, fingerprintLines, formatMs, formatNumberMs, oneLineName } from './text.js';

export { summaryTable } from './summary.js';

const LABEL_WIDTH = 18;
const VALUE_WIDTH = 79; // 18 + 79 + 3 borders = 100

export interface TableOptions {
  color: boolean;
}

/** A handshake fact the probe did not read: said so, never shown as "none". */
const notRead = (t: TlsFacts): string =>
  t.handshakeTraceError ? `not read (${clean(t.handshakeTraceError)})` : 'not read (--no-handshake-trace)';

/** Verdict line, newline, table, newline. */
export function probeTable(r: ProbeResult, options: TableOptions): string {
  const c = palette(options.color);
  const table = makeTable([LABEL_WIDTH, VALUE_WIDTH], undefined, { compact: true });
  const section = (title: string): void => {
    // In a compact table the missing middle border is what sets a section title apart.
    table.push([{ colSpan: 2, content: c.bold(c.cyan(title.toUpperCase())) }]);
  };
  const row = (label: string, value: string): void => {
    table.push([c.dim(label), value]);
  };

  section('Connection');
  for (const [label, value] of connectionRows(r)) row(label, value);
  if (r.error) row('error', c.status(r.status, errorPhrase(r) ?? ''));

  section('SMTP');
  for (const [label, value] of smtpRows(r)) row(label, value);

  if (r.tls) {
    section('TLS');
    for (const [label, value] of tlsRows(r)) row(label, value);
  }

  if (r.certificates.length > 0) {
    section(`Certificate chain (${r.certificates.length} as served)`);
    r.certificates.forEach((cert, i) => {
      table.push([{ colSpan: 2, content: c.bold(`#${i} ${certificateRole(cert, i)}`) }]);
      for (const [label, value] of certificateRows(cert)) row(label, value);
    });
  }

  if (r.verification) {
    section('Verification');
    for (const [label, value] of verificationRows(r, c)) row(label, value);
  }

  // DANE, MTA-STS and TLSRPT sections.
  for (const s of [...policySections(r), ...submissionSections(r)]) {
    section(s.title);
    for (const [label, value] of s.rows) row(label, value);
  }

  if (r.findings.length > 0) {
    section('Findings');
    for (const f of r.findings) {
      const sev = f.severity === 'info' ? f.severity : c.status(f.severity, f.severity);
      row(sev, `${cleanLines(f.message).join(' ')} (${clean(f.code)})`);
    }
  }

  return `${verdictLine(r, { color: options.color })}\n${table.toString()}\n`;
}

type Pair = [string, string];

function connectionRows(r: ProbeResult): Pair[] {
  const rows: Pair[] = [['destination', clean(r.destination)]];
  if (r.nexthop !== r.destination) rows.push(['next hop', clean(r.nexthop)]);
  if (r.mx) rows.push(['MX', `${clean(r.mx.host)} (preference ${r.mx.preference})`]);
  rows.push(['host', clean(r.host)]);
  rows.push(['address', r.address === null ? '-' : clean(r.address)]);
  rows.push(['port', `${r.port} (${modeName(r.mode)})`]);
  rows.push(['level', r.level]);
  if (r.attempts !== undefined && r.attempts > 1) rows.push(['attempts', String(r.attempts)]);
  rows.push(['time', timings(r.timingMs)]);
  return rows;
}

function modeName(mode: ProbeResult['mode']): string {
  return mode === 'starttls' ? 'STARTTLS' : mode === 'implicit' ? 'implicit TLS' : 'plaintext';
}

function timings(t: ProbeResult['timingMs']): string {
  const phases = (['resolve', 'connect', 'banner', 'ehlo', 'starttls', 'handshake'] as const)
    .filter((p) => t[p] !== null)
    .map((p) => `${p}=${formatNumberMs(t[p] as number)}`);
  // "name=value" pairs so a wrapped line never separates a phase from its figure.
  return `total ${formatMs(t.total)}${phases.length ? `; ${phases.join(' ')} ms` : ''}`;
}

function smtpRows(r: ProbeResult): Pair[] {
  const s = r.smtp;
  const rows: Pair[] = [];
  rows.push(['banner', s.banner ? [`${s.banner.code}`, ...cleanLines(s.banner.text)].join(' ').trim() : '-']);
  if (s.heloFallback) rows.push(['HELO fallback', 'EHLO refused, HELO used']);
  for (const reply of s.replies) {
    const [verb, ...args] = clean(reply.command).split(' ');
    const lines = cleanLines(reply.text);
    // EHLO replies: the greeting only; the keywords have their own rows below.
    const text = verb.toUpperCase() === 'EHLO' || verb.toUpperCase() === 'HELO' ? lines.slice(0, 1) : lines;
    const code = [String(reply.code), reply.enhanced].filter(Boolean).join(' ');
    const argText = args.length ? `${args.join(' ')} → ` : '';
    rows.push([verb, `${argText}${code} ${text.join('\n')}`.trimEnd()]);
  }
  if (r.mode === 'starttls') rows.push(['STARTTLS offered', s.starttls.offered ? 'yes' : 'no']);
  rows.push([s.ehloTls ? 'EHLO before TLS' : 'EHLO', keywords(s.ehlo)]);
  if (s.ehloTls) {
    rows.push(['EHLO after TLS', keywords(s.ehloTls)]);
    rows.push(['TLS changed', capabilityChange(s.ehlo, s.ehloTls, s.capabilityChanges)]);
  }
  return rows;
}

function keywords(list: string[]): string {
  return list.length ? list.map(clean).join(', ') : '-';
}

function keyword(line: string): string {
  return line.split(' ')[0].toUpperCase();
}

/** "+AUTH PLAIN LOGIN; -STARTTLS" by keyword, as RFC 3207 §4.2 makes the two lists independent. */
function capabilityChange(before: string[], after: string[], given?: { added: string[]; removed: string[] }): string {
  const beforeKeys = new Set(before.map(keyword));
  const afterKeys = new Set(after.map(keyword));
  const added = given?.added ?? [...afterKeys].filter((k) => !beforeKeys.has(k));
  const removed = given?.removed ?? [...beforeKeys].filter((k) => !afterKeys.has(k));
  // Show the full line of an added keyword ("AUTH PLAIN LOGIN"): what is offered matters.
  const full = (k: string) => clean(after.find((l) => keyword(l) === k.toUpperCase()) ?? k);
  const parts = [...added.map((k) => `+${full(k)}`), ...removed.map((k) => `-${clean(k)}`)];
  return parts.length ? parts.join('; ') : 'no change';
}

function tlsRows(r: ProbeResult): Pair[] {
  const t = r.tls!;
  const rows: Pair[] = [['protocol', clean(t.protocol)]];
  const bits = t.cipher.bits !== null ? `, ${t.cipher.bits} bits` : '';
  const names =
    t.cipher.standardName && t.cipher.standardName !== t.cipher.name
      ? `${clean(t.cipher.name)}${bits}\nIANA ${clean(t.cipher.standardName)}`
      : `${clean(t.cipher.name)}${bits}`;
  rows.push(['cipher', names]);
  const kx = t.keyExchange;
  rows.push(['key exchange', kx ? [kx.type, kx.group, kx.bits !== null ? `${kx.bits} bits` : null].filter(Boolean).join(' ') : '-']);
  // What openssl s_client prints as "Peer signature type / digest" (src/tls/handshake-trace.ts).
  if (t.peerSignature) rows.push(['server signature', `${clean(t.peerSignature.type)}${t.peerSignature.digest ? `/${clean(t.peerSignature.digest)}` : ''} (${clean(t.peerSignature.name)})`]);
  else if (t.peerSignature === null) rows.push(['server signature', 'none (RSA key exchange or resumed session)']);
  else rows.push(['server signature', notRead(t)]);
  rows.push(['SNI', t.servername === null ? 'none (IP address)' : clean(t.servername)]);
  if (t.certificateRequested !== undefined) rows.push(['client cert', t.certificateRequested ? 'requested by the server' : 'not requested']);
  else rows.push(['client cert', `request ${notRead(t)}`]);
  if (t.alpn) rows.push(['ALPN', clean(t.alpn)]);
  if (t.sessionReused) rows.push(['session', 'resumed']);
  return rows;
}

function certificateRole(cert: CertificateFacts, index: number): string {
  if (index === 0) return cert.selfSigned ? 'leaf (self-signed)' : 'leaf';
  if (cert.selfSigned) return 'root CA (self-signed)';
  return cert.isCA ? 'intermediate CA' : 'certificate (not a CA)';
}

function certificateRows(cert: CertificateFacts): Pair[] {
  const san = [
    ...cert.san.dns.map((n) => `DNS:${clean(n)}`),
    ...cert.san.ip.map((n) => `IP:${clean(n)}`),
  ];
  const key = [cert.key.type, cert.key.curve, cert.key.bits !== null ? `${cert.key.bits} bits` : null].filter(Boolean).join(' ');
  return [
    ['subject', oneLineName(cert.subject)],
    ['issuer', oneLineName(cert.issuer)],
    ['SAN', san.length ? san.join(', ') : '-'],
    ['serial', clean(cert.serial)],
    ['valid', `${isoDate(cert.notBefore)} → ${isoDate(cert.notAfter)}, ${expiryPhrase(cert.daysRemaining)}`],
    ['key', key || '-'],
    ['signature', cert.signatureAlgorithm ? clean(cert.signatureAlgorithm) : '-'],
    ['SHA-256', fingerprintLines(clean(cert.sha256))],
    ['SPKI SHA-256', fingerprintLines(clean(cert.spkiSha256))],
  ];
}

/** "2025-01-01T00:00:00.000Z" → "2025-01-01 00:00:00Z". */
function isoDate(iso: string): string {
  return clean(iso).replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function verificationRows(r: ProbeResult, c: Palette): Pair[] {
  const v = r.verification!;
  const yes = (s: string) => c.green(s);
  const no = (s: string) => c.red(s);
  let trust = v.trusted ? yes('yes') : no(`no — ${v.error?.reason ?? 'validation-failure'}`);
  if (!v.trusted && v.error?.openssl) trust += ` (OpenSSL: ${clean(v.error.openssl)})`;
  const checked = v.checkedNames.length ? ` (checked ${v.checkedNames.map(clean).join(', ')})` : '';
  const name = v.hostnameMatch
    ? `${yes('matches')}${v.matchedName ? ` ${clean(v.matchedName)}` : ''}${checked}`
    : `${no('no match')}${checked}`;
  const rows: Pair[] = [['trusted', trust], ['name', name]];
  if (v.fingerprintMatch !== null) rows.push(['fingerprint', v.fingerprintMatch ? yes('matches') : no('no match')]);
  return rows;
}
