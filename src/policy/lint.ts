// Advice about tls_policy entries beyond what Postfix itself refuses: obsolete protocol pins, weak
// cipher grades, match lists that cannot work, keys no next-hop will ever look up; and, given the
// probe results for an entry, whether Postfix would deliver with it today.
// Findings use the ProbeResult vocabulary (info < warning < critical, worst wins); a table problem
// of severity "error" (Postfix refuses the entry or skips the line) is critical here.
import type { Finding, ProbeResult } from '../types.js';
import { checkCipherString, postfixCipherString } from './ciphers.js';
import { classifyMatchName } from './match.js';
import { enabledProtocols, parsePostfixProtocols, type ProtocolName } from './protocols.js';
import type { PolicyEntry, PolicyProblem, PolicyTable } from './table.js';
import { validHostname } from './table.js';

export interface LintFinding extends Finding {
  /** Line of the entry in the table (1-based). */
  line: number;
}

export interface LintOptions {
  /** Check tafile= paths; omit to skip (pure). */
  fileExists?: (path: string) => boolean;
}

const OBSOLETE: readonly ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1'];
const TLS_ORDER: readonly ProtocolName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** Digest sizes in bytes → algorithm (smtp_tls_fingerprint_digest; sha256 since Postfix 3.6). */
const DIGESTS: Readonly<Record<number, string>> = { 16: 'md5', 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };

function fromProblem(p: PolicyProblem): LintFinding {
  return { line: p.line, severity: p.severity === 'error' ? 'critical' : p.severity, code: p.code, message: p.message };
}

function lintProtocols(entry: PolicyEntry, add: (f: Omit<LintFinding, 'line'>) => void): void {
  const list = entry.attrs.protocols;
  if (list === undefined) return;
  const spec = parsePostfixProtocols(list);
  const on = enabledProtocols(spec);
  const old = on.filter((p) => OBSOLETE.includes(p));
  if (old.length > 0) {
    add({
      severity: 'warning', code: 'obsolete-protocols',
      message: `protocols=${list} allows ${old.join(', ')} (obsolete; RFC 8996): use protocols=>=TLSv1.2`,
    });
  }
  const tlsOn = TLS_ORDER.filter((p) => on.includes(p));
  if (tlsOn.length === 0) {
    add({ severity: 'critical', code: 'no-usable-protocol', message: `protocols=${list} leaves no TLS version that OpenSSL 3 offers: every TLS handshake fails` });
    return;
  }
  const firstIdx = TLS_ORDER.indexOf(tlsOn[0]);
  const run = TLS_ORDER.slice(firstIdx).findIndex((p) => !on.includes(p));
  const dropped = run < 0 ? [] : tlsOn.filter((p) => TLS_ORDER.indexOf(p) >= firstIdx + run);
  if (dropped.length > 0) {
    add({
      severity: 'warning', code: 'protocol-hole',
      message: `protocols=${list} excludes a version in the middle: OpenSSL then uses only ${TLS_ORDER.slice(firstIdx, firstIdx + run).join(', ')}, never ${dropped.join(', ')}`,
    });
  }
}

function lintMatch(entry: PolicyEntry, add: (f: Omit<LintFinding, 'line'>) => void): void {
  const match = entry.attrs.match ?? [];
  if (entry.level === 'fingerprint') {
    if (!entry.rawAttrs.some((a) => a.name.toLowerCase() === 'match')) {
      add({ severity: 'warning', code: 'fingerprint-without-match', message: 'fingerprint level without match=: Postfix uses main.cf smtp_tls_fingerprint_cert_match, and defers mail ("no fingerprints to match") when that is empty' });
    }
    for (const d of match) {
      const bytes = d.split(':').length;
      const alg = DIGESTS[bytes];
      if (!alg) add({ severity: 'warning', code: 'fingerprint-length', message: `match=${d.slice(0, 32)}... is ${bytes} bytes long: no digest algorithm has that length, it can never match` });
      else if (alg !== 'sha256') add({ severity: 'info', code: 'fingerprint-digest', message: `match=${d.slice(0, 23)}... is a ${alg} digest: it matches only with smtp_tls_fingerprint_digest = ${alg} (default sha256)` });
    }
    return;
  }
  if (entry.level !== 'verify' && entry.level !== 'secure') return;
  for (const name of match) {
    const kind = classifyMatchName(name);
    if (kind === 'hostname' && entry.level === 'secure') {
      add({ severity: 'warning', code: 'secure-match-hostname', message: 'match=hostname at the secure level trusts the MX host name from DNS: vulnerable to DNS forgery unless DNSSEC is assured (postconf(5))' });
      continue;
    }
    if (kind !== 'exact' && kind !== 'suffix') continue;
    const bare = kind === 'suffix' ? name.slice(1) : name;
    let why: string | null = null;
    if (bare.includes('*')) why = 'wildcards are not patterns here: use ".example.com" for any subdomain';
    else if (/[[\]]/.test(bare) || /:\d+$/.test(bare)) why = 'match names are certificate names, not next-hops: drop brackets and port';
    else if (/^\d+(\.\d+){3}$/.test(bare)) why = 'IP addresses are never matched: Postfix checks DNS names only';
    else if (!validHostname(bare)) why = 'not a valid host name';
    else if (kind === 'exact' && !bare.includes('.')) why = 'a name without a dot: did you mean hostname, nexthop or dot-nexthop?';
    if (why) add({ severity: 'warning', code: 'match-name-odd', message: `match name "${name}": ${why}` });
  }
}

function lintKey(entry: PolicyEntry, table: PolicyTable | null, add: (f: Omit<LintFinding, 'line'>) => void): void {
  if (entry.key.includes('*')) {
    add({ severity: 'warning', code: 'key-wildcard', message: `key "${entry.key}": Postfix tables do not expand "*"; use ".${entry.key.replace(/^\*\.?/, '')}" for subdomains` });
  }
  if (entry.port === 25 && entry.service === undefined) {
    add({ severity: 'info', code: 'key-default-port', message: `key "${entry.key}" matches only when the next-hop is written with ":25" in the transport table; without a port the key is "${entry.key.replace(/:25$/, '')}"` });
  }
  if (entry.port === 465) {
    add({ severity: 'info', code: 'key-port-465', message: `key "${entry.key}": port 465 is implicit TLS; the transport needs smtp_tls_wrappermode = yes (and level encrypt or higher), else Postfix waits for a banner that never comes` });
  }
  if (entry.keyKind === 'pattern' && table && !table.entries.some((e) => e.keyKind === 'domain' && e.port === undefined && e.host === entry.host)) {
    add({ severity: 'info', code: 'pattern-without-parent', message: `".${entry.host}" covers subdomains only; "${entry.host}" itself has no entry` });
  }
}

/** Lints for one entry, without network. `table` gives context (other entries) when available. */
export function lintEntry(entry: PolicyEntry, options: LintOptions = {}, table: PolicyTable | null = null): LintFinding[] {
  const out: LintFinding[] = [];
  const add = (f: Omit<LintFinding, 'line'>) => out.push({ line: entry.line, ...f });
  lintKey(entry, table, add);
  if (!entry.valid && /(^|[\s,])#/.test(entry.value)) {
    add({ severity: 'info', code: 'trailing-comment', message: 'a "#" after the policy is not a comment in Postfix tables: put comments on their own line' });
  }
  if (!entry.valid && /(^|[\s,])(protocols|match|exclude)=[^\s,]*,/i.test(entry.value)) {
    add({ severity: 'info', code: 'comma-in-attribute', message: 'commas separate attributes in the policy table: separate protocols, match names and exclusions with ":"' });
  }
  if (!entry.valid || entry.level === null || entry.level === 'none') return out;
  lintProtocols(entry, add);
  const grade = entry.attrs.ciphers?.toLowerCase();
  if (grade === 'export' || grade === 'low') {
    add({ severity: 'warning', code: 'weak-cipher-grade', message: `ciphers=${grade} is insecure and SHOULD NOT be used (postconf(5)); Postfix >= 3.8 treats it as medium: use ciphers=medium or high` });
  } else if (grade === 'null') {
    add({ severity: 'warning', code: 'weak-cipher-grade', message: 'ciphers=null means no encryption with TLS 1.2 and below (and only works with NULL ciphers enabled on both sides)' });
  }
  try {
    checkCipherString(postfixCipherString({ grade: entry.attrs.ciphers ?? 'medium', exclude: entry.attrs.exclude, level: entry.level }));
  } catch (err) {
    add({ severity: 'critical', code: 'no-cipher', message: `ciphers=${entry.attrs.ciphers ?? 'medium'}${entry.attrs.exclude ? ` exclude=${entry.attrs.exclude}` : ''} at ${entry.level} leaves no cipher OpenSSL 3 supports: Postfix fails to start TLS ("error setting cipher grade")` });
  }
  if (entry.level === 'may' && (entry.attrs.protocols !== undefined || entry.attrs.ciphers !== undefined)) {
    add({ severity: 'info', code: 'may-with-restrictions', message: 'protocols=/ciphers= at the may level only reduce interoperability: a failed handshake falls back to plaintext' });
  }
  lintMatch(entry, add);
  for (const f of entry.attrs.tafile ?? []) {
    if (!f.startsWith('/')) add({ severity: 'warning', code: 'tafile-relative', message: `tafile=${f} is relative: smtp(8) resolves it from its (possibly chrooted) queue directory` });
    else if (options.fileExists && !options.fileExists(f)) add({ severity: 'critical', code: 'tafile-missing', message: `tafile=${f} does not exist: Postfix marks the policy invalid and defers mail` });
  }
  if (entry.attrs.enableRpk !== undefined) add({ severity: 'info', code: 'needs-postfix-3.9', message: 'enable_rpk= needs Postfix 3.9 or later; older versions reject the entry ("invalid attribute name")' });
  if (entry.attrs.policyType !== undefined) add({ severity: 'info', code: 'needs-postfix-3.10', message: 'policy_type= and related TLSRPT attributes need Postfix 3.10 or later; older versions reject the entry' });
  return out;
}

/** Table problems and entry lints, in line order. */
export function lintPolicy(table: PolicyTable, options: LintOptions = {}): LintFinding[] {
  const out = table.problems.map(fromProblem);
  for (const e of table.entries) if (e.duplicateOf === undefined) out.push(...lintEntry(e, options, table));
  return out.sort((a, b) => a.line - b.line);
}

function where(r: ProbeResult): string {
  return `${r.host}[${r.address ?? '?'}]:${r.port}`;
}

/**
 * Advice that needs the servers, from the entry's probe results. Whether each host passes is the
 * probe's verdict (`result.postfix`), worded by evaluate.ts; lints only add what a table author
 * should change: an obsolete protocol in use, a leftover digest, a level that could be stricter.
 */
export function lintWithResults(entry: PolicyEntry, results: readonly ProbeResult[]): LintFinding[] {
  const out: LintFinding[] = [];
  const add = (f: Omit<LintFinding, 'line'>) => out.push({ line: entry.line, ...f });
  if (!entry.valid || entry.level === null || entry.level === 'none') return out;
  const level = entry.level;
  const withTls = results.filter((r) => r.tls !== null);
  for (const r of withTls) {
    if (r.tls && (r.tls.protocol === 'TLSv1' || r.tls.protocol === 'TLSv1.1')) {
      add({ severity: 'warning', code: 'obsolete-protocol-negotiated', message: `${where(r)}: negotiated ${r.tls.protocol}` });
    }
  }
  if (level === 'fingerprint') {
    // ProbeResult carries SHA-256 digests only; md5/sha1 match= values cannot be compared.
    const digests = (entry.attrs.match ?? []).filter((d) => d.split(':').length === 32);
    if (digests.length === 0 && withTls.length > 0) {
      add({ severity: 'info', code: 'fingerprint-not-checked', message: 'no SHA-256 digest in match=: the served certificates were not compared' });
      return out;
    }
    const served = new Set(withTls.flatMap((r) => (r.certificates[0] ? [r.certificates[0].sha256, r.certificates[0].spkiSha256] : [])));
    const unused = digests.filter((d) => !served.has(d));
    if (withTls.length > 0 && unused.length > 0 && unused.length < digests.length) {
      add({ severity: 'info', code: 'fingerprint-unused', message: `match= digest${unused.length > 1 ? 's' : ''} ${unused.join(', ')} match${unused.length > 1 ? '' : 'es'} no served certificate (left over from a rollover?)` });
    }
  }
  const reached = results.filter((r) => r.smtp.banner !== null);
  if (level === 'encrypt' && withTls.length > 0 && withTls.length === reached.length
    && withTls.every((r) => r.verification?.trusted === true && r.verification.hostnameMatch)) {
    add({ severity: 'info', code: 'encrypt-could-verify', message: 'every server presents a trusted certificate naming it: "verify" (or "secure") would pass' });
  }
  return out;
}
