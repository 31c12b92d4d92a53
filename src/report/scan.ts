// `mxprobe scan` as text, laid out like sslscan: the verdict line, protocols, accepted ciphers
// grouped by protocol (preferred first) with what was refused and what was not tested, groups,
// certificates, features, then the findings with the Postfix setting to change. Nothing untested
// reads as a result: it says "not tested" and why. Pure: a ScanResult in, a string out.
import type { PeerSignature } from '../types.js';
import type { ScanCipher, ScanProtocol, ScanResult } from '../scan/types.js';
import { describeDhSizes, dhSizes } from '../scan/dh-sizes.js';
import { palette, type Palette } from './color.js';
import { statusWord } from './status.js';
import { clean } from './text.js';

export interface ScanRenderOptions {
  color: boolean;
}

const yesNo = (v: boolean | null, yes = 'yes', no = 'no') => (v === null ? 'unknown' : v ? yes : no);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function target(r: ScanResult): string {
  const addr = r.address && r.address !== r.host ? `[${r.address}]` : '';
  return `${r.host}${addr}:${r.port} ${r.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}`;
}

export function scanVerdictLine(r: ScanResult, c: Palette = palette(false)): string {
  const accepted = r.protocols.filter((p) => p.accepted).map((p) => p.protocol);
  const counts = ['critical', 'warning'].map((s) => `${r.findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  const what = r.error && !r.incomplete ? clean(r.error.message) : `${accepted.join(' ') || 'no protocol accepted'} — ${counts}`;
  return `${c.status(r.status, statusWord(r.status))} ${target(r)} profile ${r.profile}${r.quick ? ' (quick)' : ''}: ${what}${r.incomplete ? ' (incomplete)' : ''}`;
}

export function signatureText(s: PeerSignature | null | undefined): string | null {
  return s ? `${s.type}${s.digest ? `/${s.digest}` : ''}` : null;
}

function cipherLine(cipher: ScanCipher, preferred: boolean, protocol: string, c: Palette): string {
  const label = preferred ? 'Preferred' : 'Accepted ';
  const bits = `${cipher.bits ?? '?'} bits`.padStart(9);
  const grade = cipher.anonymous ? `${cipher.grade}, anonymous` : cipher.grade;
  const graded = cipher.grade === 'high' && !cipher.anonymous ? grade : c.red(grade);
  return `  ${label}  ${protocol.padEnd(8)}${bits}  ${cipher.name.padEnd(31)} ${(cipher.keyExchangeGroup ?? '').padEnd(10)} ${graded}`;
}

/** "TLSv1.2: 18 accepted, 59 refused, 3 not tested (why): A, B, C". */
function cipherTally(p: ScanProtocol, c: Palette): string | null {
  // A disabled or untested protocol says so on its own line above.
  if (p.candidates === 0 || p.accepted !== true) return null;
  const refused = p.candidates - p.ciphers.length - p.untested.length;
  const parts = [`${p.ciphers.length} accepted`, `${refused} refused`];
  if (p.untested.length) parts.push(c.magenta(`${p.untested.length} not tested (${clean(p.untestedReason ?? 'unknown reason')})${p.untested.length <= 8 ? `: ${p.untested.join(', ')}` : ''}`));
  return `  ${p.protocol.padEnd(8)} ${parts.join(', ')} of ${p.candidates} offered`;
}

function protocolState(p: ScanProtocol, c: Palette): string {
  const legacy = p.protocol === 'SSLv2' || p.protocol === 'SSLv3' || p.protocol === 'TLSv1' || p.protocol === 'TLSv1.1';
  if (p.accepted === null) return c.magenta(`not tested (${clean(p.untestedReason ?? 'unknown reason')})`);
  if (p.accepted) return legacy ? c.red('enabled') : c.green('enabled');
  return legacy ? c.green('disabled') : c.dim('disabled');
}

export function renderScan(r: ScanResult, options: ScanRenderOptions): string {
  const c = palette(options.color);
  const out: string[] = [scanVerdictLine(r, c), ''];
  const head = (title: string) => out.push(c.bold(c.cyan(title)));
  const untested = (why: string) => c.magenta(`not tested (${clean(why)})`);
  if (r.negotiated) {
    const n = r.negotiated;
    const sig = signatureText(n.peerSignature);
    out.push(`  Default handshake: ${n.protocol} ${n.cipher.standardName || n.cipher.name}${n.keyExchange?.group ? ` ${n.keyExchange.group}` : ''}${sig ? `, server signature ${sig}` : ''}${n.certificateRequested ? ', client certificate requested' : ''}`, '');
  }
  if (r.protocols.length) {
    head('SSL/TLS Protocols:');
    for (const p of r.protocols) out.push(`  ${p.protocol.padEnd(8)} ${protocolState(p, c)}`);
    out.push('');
    head('Supported Server Cipher(s):');
    for (const p of [...r.protocols].reverse()) {
      p.ciphers.forEach((cipher, i) => out.push(cipherLine(cipher, i === 0 && p.serverOrder === true, p.protocol, c)));
    }
    const tallies = [...r.protocols].reverse().map((p) => cipherTally(p, c)).filter((l): l is string => l !== null);
    if (tallies.length) out.push(...tallies);
    const orders = r.protocols.filter((p) => p.serverOrder !== null).map((p) => `${p.protocol} ${p.serverOrder ? 'server' : 'client'}`);
    if (orders.length) out.push(`  Cipher order: ${orders.join(', ')}`);
    out.push('');
  }
  if (r.groups.length) {
    head(`Server Key Exchange Group(s)${r.groups[0].protocol ? ` (${r.groups[0].protocol})` : ''}:`);
    const reasons = new Set(r.groups.map((g) => g.untestedReason));
    if (r.groups.every((g) => g.accepted === null) && reasons.size === 1) out.push(`  ${untested([...reasons][0] ?? 'unknown reason')}`);
    else {
      for (const g of r.groups) {
        const size = g.hybrid ? '   hybrid' : `${String(g.bits ?? '').padStart(5)} bits`;
        const state = g.accepted === null ? untested(g.untestedReason ?? 'unknown reason') : g.accepted ? 'accepted' : 'not accepted';
        out.push(`  ${g.name.padEnd(18)} ${size}  ${state}`);
      }
    }
    const sizes = dhSizes(r.protocols);
    if (sizes.length) out.push(`  DHE parameters: ${describeDhSizes(sizes)}`);
    out.push('');
  }
  if (r.certificates.some((x) => x.leaf || x.untestedReason)) {
    head('Certificates:');
    for (const cert of r.certificates) {
      const l = cert.leaf;
      const sig = signatureText(cert.signature);
      const what = l
        ? `${l.key.type} ${l.key.bits ?? '?'} bits${l.key.curve ? ` ${l.key.curve}` : ''}  ${clean(l.subject)}  expires ${l.notAfter.slice(0, 10)}${sig ? `  signs ${sig}` : ''}`
        : cert.untestedReason ? untested(cert.untestedReason) : c.dim('none served');
      out.push(`  ${cert.requested.toUpperCase().padEnd(6)} ${what}`);
    }
    out.push('');
  }
  if (r.error && !r.incomplete) {
    // The verdict line says why; the attempts line how hard we tried.
    out.push(c.dim(`  ${attemptsLine(r)}`));
    return `${out.join('\n')}\n`;
  }
  head('Features:');
  const f = r.features;
  const u = f.untested;
  const value = (name: keyof typeof u, text: string) => (u[name] ? untested(u[name]!) : text);
  out.push(`  Session resumption: session ID ${value('sessionIdResumption', yesNo(f.sessionIdResumption))}, tickets ${value('ticketResumption', yesNo(f.ticketResumption))}`);
  out.push(`  Secure renegotiation (RFC 5746): ${value('secureRenegotiation', yesNo(f.secureRenegotiation))}`);
  out.push(`  TLS compression: ${value('compression', f.compression ?? 'unknown')}`);
  out.push(`  OCSP stapling: ${value('ocspStapling', yesNo(f.ocspStapling))}`);
  out.push(`  TLS Fallback SCSV (RFC 7507): ${value('fallbackScsv', yesNo(f.fallbackScsv, 'supported', 'not supported'))}`);
  const hb = f.heartbleed.filter((h) => h.vulnerable !== null).map((h) => `${h.protocol} ${h.vulnerable ? c.red('VULNERABLE') : 'not vulnerable'}`);
  out.push(`  Heartbleed: ${[hb.join(', '), u.heartbleed ? untested(u.heartbleed) : ''].filter(Boolean).join('; ')}`);
  const inj = f.starttlsInjection === 'vulnerable' ? c.red('VULNERABLE') : f.starttlsInjection === 'not-vulnerable' ? 'not vulnerable' : untested(u.starttlsInjection ?? f.starttlsInjectionNote ?? 'unknown reason');
  out.push(`  STARTTLS injection: ${inj}`, '');
  head(`Findings (${r.profile}):`);
  if (r.findings.length === 0) out.push('  none');
  for (const x of r.findings) {
    const sev = x.severity === 'critical' ? c.red('CRITICAL') : x.severity === 'warning' ? c.yellow('WARNING ') : c.dim('INFO    ');
    out.push(`  ${sev} ${clean(x.message)}`);
    if (x.setting) out.push(`           ${c.dim('→')} ${clean(x.setting)}`);
  }
  out.push('', c.dim(`  ${attemptsLine(r)}`));
  return `${out.join('\n')}\n`;
}

function attemptsLine(r: ScanResult): string {
  const a = r.attempts;
  const polite = a.adaptive ? `; the server refused ${plural(a.rateLimited, 'connection')} for its limit: one at a time after the first, ${a.backoffMs} ms backing off` : '';
  return `${plural(a.connections, 'connection')} (at most ${a.maxParallel} at once${a.retries ? `, ${a.retries} retried` : ''}${polite}) in ${r.timingMs.total} ms`;
}
