// `mxprobe scan` as text, laid out like sslscan: the verdict line, protocols, accepted ciphers
// grouped by protocol (preferred first), groups, certificates, features, then the findings with
// the Postfix setting to change. Pure: a ScanResult in, a string out; colour only when asked.
import type { ScanCipher, ScanResult } from '../types.js';
import { palette, type Palette } from './color.js';
import { statusWord } from './status.js';
import { clean } from './text.js';

export interface ScanRenderOptions {
  color: boolean;
}

const yesNo = (v: boolean | null, yes = 'yes', no = 'no') => (v === null ? 'unknown' : v ? yes : no);

function target(r: ScanResult): string {
  const addr = r.address && r.address !== r.host ? `[${r.address}]` : '';
  return `${r.host}${addr}:${r.port} ${r.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}`;
}

export function scanVerdictLine(r: ScanResult, c: Palette = palette(false)): string {
  const accepted = r.protocols.filter((p) => p.accepted).map((p) => p.protocol);
  const counts = ['critical', 'warning'].map((s) => `${r.findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  const what = r.error && !r.incomplete ? clean(r.error.message) : `${accepted.join(' ') || 'no protocol accepted'} — ${counts}`;
  return `${c.status(r.status, statusWord(r.status))} ${target(r)} profile ${r.profile}: ${what}${r.incomplete ? ' (incomplete)' : ''}`;
}

function cipherLine(cipher: ScanCipher, preferred: boolean, protocol: string, c: Palette): string {
  const label = preferred ? 'Preferred' : 'Accepted ';
  const bits = `${cipher.bits ?? '?'} bits`.padStart(9);
  const grade = cipher.anonymous ? `${cipher.grade}, anonymous` : cipher.grade;
  const graded = cipher.grade === 'high' && !cipher.anonymous ? grade : c.red(grade);
  return `  ${label}  ${protocol.padEnd(8)}${bits}  ${cipher.name.padEnd(31)} ${(cipher.keyExchangeGroup ?? '').padEnd(10)} ${graded}`;
}

export function renderScan(r: ScanResult, options: ScanRenderOptions): string {
  const c = palette(options.color);
  const out: string[] = [scanVerdictLine(r, c), ''];
  const head = (title: string) => out.push(c.bold(c.cyan(title)));
  if (r.negotiated) {
    const n = r.negotiated;
    out.push(`  Default handshake: ${n.protocol} ${n.cipher.standardName || n.cipher.name}${n.keyExchange?.group ? ` ${n.keyExchange.group}` : ''}`, '');
  }
  if (r.protocols.length) {
    head('SSL/TLS Protocols:');
    for (const p of r.protocols) {
      const legacy = p.protocol === 'SSLv2' || p.protocol === 'SSLv3' || p.protocol === 'TLSv1' || p.protocol === 'TLSv1.1';
      const state = p.accepted === null ? c.magenta('unknown') : p.accepted ? (legacy ? c.red('enabled') : c.green('enabled')) : legacy ? c.green('disabled') : c.dim('disabled');
      out.push(`  ${p.protocol.padEnd(8)} ${state}`);
    }
    out.push('');
    head('Supported Server Cipher(s):');
    for (const p of [...r.protocols].reverse()) {
      p.ciphers.forEach((cipher, i) => out.push(cipherLine(cipher, i === 0 && p.serverOrder === true, p.protocol, c)));
    }
    const orders = r.protocols.filter((p) => p.serverOrder !== null).map((p) => `${p.protocol} ${p.serverOrder ? 'server' : 'client'}`);
    if (orders.length) out.push(`  Cipher order: ${orders.join(', ')}`);
    out.push('');
  }
  if (r.groups.length) {
    head(`Server Key Exchange Group(s) (${r.groups[0].protocol}):`);
    for (const g of r.groups) out.push(`  ${g.name.padEnd(10)} ${String(g.bits ?? '').padStart(5)} bits  ${yesNo(g.accepted, 'accepted', 'not accepted')}`);
    if (r.dheBits !== null) out.push(`  DHE parameters: ${r.dheBits} bits`);
    out.push('');
  }
  if (r.certificates.some((x) => x.leaf)) {
    head('Certificates:');
    for (const cert of r.certificates) {
      const l = cert.leaf;
      out.push(`  ${cert.requested.toUpperCase().padEnd(6)} ${l ? `${l.key.type} ${l.key.bits ?? '?'} bits${l.key.curve ? ` ${l.key.curve}` : ''}  ${clean(l.subject)}  expires ${l.notAfter.slice(0, 10)}` : c.dim('none served')}`);
    }
    out.push('');
  }
  if (r.error && !r.incomplete) {
    // Nothing was learned: the verdict line says why, the attempts line how hard we tried.
    out.push(c.dim(`  ${r.attempts.connections} connection(s) in ${r.timingMs.total} ms`));
    return `${out.join('\n')}\n`;
  }
  head('Features:');
  const f = r.features;
  out.push(`  Session resumption: session ID ${yesNo(f.sessionIdResumption)}, tickets ${yesNo(f.ticketResumption)}`);
  out.push(`  Secure renegotiation (RFC 5746): ${f.secureRenegotiation === null ? 'n/a (no TLS <= 1.2)' : yesNo(f.secureRenegotiation)}`);
  out.push(`  TLS compression: ${f.compression ?? 'n/a'}`);
  out.push(`  OCSP stapling: ${yesNo(f.ocspStapling)}`);
  const inj = f.starttlsInjection === 'vulnerable' ? c.red('VULNERABLE') : f.starttlsInjection === 'not-vulnerable' ? 'not vulnerable' : `not determined${f.starttlsInjectionNote ? ` (${clean(f.starttlsInjectionNote)})` : ''}`;
  out.push(`  STARTTLS injection: ${inj}`, '');
  head(`Findings (${r.profile}):`);
  if (r.findings.length === 0) out.push('  none');
  for (const x of r.findings) {
    const sev = x.severity === 'critical' ? c.red('CRITICAL') : x.severity === 'warning' ? c.yellow('WARNING ') : c.dim('INFO    ');
    out.push(`  ${sev} ${clean(x.message)}`);
    if (x.setting) out.push(`           ${c.dim('→')} ${clean(x.setting)}`);
  }
  out.push('', c.dim(`  ${r.attempts.connections} connections (at most ${r.attempts.maxParallel} at once${r.attempts.retries ? `, ${r.attempts.retries} retried` : ''}) in ${r.timingMs.total} ms`));
  return `${out.join('\n')}\n`;
}
