// One tls_policy entry → what Postfix's smtp(8) would do with it today.
//
// Pure: the destination and ProbeOptions an entry stands for, and the verdict from the entry's
// ProbeResults. The judgement of each host is the probe's own (`result.postfix`, from
// src/levels.ts); this module only words it as Postfix logs it (postfix/src/smtp/smtp_proto.c,
// postfix/src/tls/tls_verify.c tls_log_verify_error(), tls_misc.c tls_log_summary()) and applies
// what only a table has: the MX session and address limits, duplicates, patterns, invalid entries.
//
// Delivery: Postfix tries the MX hosts in preference order and delivers to the first one that
// passes; the hosts before it are logged and skipped. smtp_connect.c counts towards
// smtp_mx_session_limit (default 2) only sessions that got past smtp_helo() — greeting, EHLO,
// STARTTLS and the level's certificate checks ("Don't count handshake errors towards the session
// limit") — and gives up after smtp_mx_address_limit (default 5) addresses. An invalid entry defers all
// mail for the destination ("4.7.5 client TLS configuration problem", smtp_tls_policy.c).
import { isIP } from '../ip.js';
import { UsageError } from '../errors.js';
import type { ConnectionClass, Level, ProbeOptions, ProbeResult, Status } from '../types.js';
import { lintWithResults, type LintFinding } from './lint.js';
import { daneBased, defaultMatch, mustPkix, tlsRequired } from '../levels.js';
import { POSTFIX_INVALID_POLICY_DSN, type KeyKind, type PolicyEntry } from './table.js';
import { statusOfFindings, worse } from '../status.js';

/** main.cf smtp_mx_session_limit default. */
export const MX_SESSION_LIMIT = 2;
/** main.cf smtp_mx_address_limit default. */
export const MX_ADDRESS_LIMIT = 5;

/** How posttls-finger/Postfix classify an established TLS connection (tls_log_summary). */
export type TlsConnectionClass = ConnectionClass;

export interface HostVerdict {
  /** host[address]:port, as Postfix logs it. */
  label: string;
  host: string;
  address: string | null;
  port: number;
  /** Postfix would hand the mail to this host. */
  pass: boolean;
  /** The mail would go in plaintext (level none, or may without usable TLS). */
  plaintext: boolean;
  /** The TLS connection as Postfix would log it; null without TLS. */
  tls: TlsConnectionClass | null;
  /** The probe's own status for this host. */
  status: Status;
  /** Postfix's words: the TLS summary line when it passes, the reason for the deferral when not. */
  message: string;
  /** Postfix's certificate log line behind a "Server certificate not verified" (tls_log_verify_error). */
  detail?: string;
}

export type PolicyVerdictState = 'deliver' | 'defer' | 'invalid' | 'not-probed';

export interface PolicyVerdict {
  line: number;
  endLine: number;
  key: string;
  keyKind: KeyKind;
  /** The entry's level as written (null when Postfix does not know it). */
  level: Level | null;
  /** The entry's value text: level and attributes. */
  policy: string;
  /** What was (or would be) probed: "example.com", "[mx.example.com]:587". */
  destination: string | null;
  /** true/false: Postfix would deliver / defer today; null: not probed. */
  deliver: boolean | null;
  state: PolicyVerdictState;
  status: Status;
  /** One sentence, Postfix's words first. */
  because: string;
  hosts: HostVerdict[];
  /** Where mxprobe's probe differs from what Postfix does with this entry. */
  notes: string[];
  lint: LintFinding[];
  results: ProbeResult[];
}

export interface PolicyContext {
  /** `--domain NAME`: probe ".domain" pattern entries as this domain (when it falls under them). */
  domain?: string;
  /** Port for keys that name none (`--port`); Postfix's is 25. */
  defaultPort?: number;
  /** Contents of tafile= files by path (the command reads them); absent → not applied. */
  tafiles?: ReadonlyMap<string, string>;
}


/** `host[address]:port`; `[address]:port` is written `address[address]:port` by Postfix too. */
export function postfixLabel(r: Pick<ProbeResult, 'host' | 'address' | 'port'>): string {
  return `${r.host}[${r.address ?? r.host}]:${r.port}`;
}

/**
 * The destination a key makes Postfix connect to: `domain[:port]` (MX lookup), `[host][:port]`,
 * a ".domain" pattern only with `--domain` (a name under it), or why it is not probed.
 */
export function policyDestination(entry: PolicyEntry, ctx: PolicyContext = {}): { destination: string } | { skip: string } {
  if (entry.keyKind === 'pattern') {
    const d = ctx.domain?.toLowerCase().replace(/\.$/, '');
    if (!d) return { skip: `pattern for every subdomain of ${entry.host}: not probed (use --domain NAME to probe one)` };
    if (!d.endsWith(`.${entry.host}`)) return { skip: `pattern for subdomains of ${entry.host}: --domain ${d} is not one of them, not probed` };
    return { destination: ctx.defaultPort === undefined ? d : `${d}:${ctx.defaultPort}` };
  }
  if (entry.service !== undefined && entry.port === undefined) {
    return { skip: `service "${entry.service}" has no port mxprobe knows: not probed` };
  }
  const p = entry.port ?? ctx.defaultPort;
  const port = p === undefined ? '' : `:${p}`;
  if (entry.keyKind === 'host') return { destination: `[${isIP(entry.host) === 6 ? `ipv6:${entry.host}` : entry.host}]${port}` };
  return { destination: `${entry.host}${port}` };
}

/**
 * The ProbeOptions for an entry: the CLI's connection and trust settings as the base, the entry's
 * level, match=, protocols=, ciphers=, exclude=, servername= and tafile= on top. Notes say where
 * the probe cannot do exactly what Postfix does. Throws a UsageError when the entry cannot be
 * probed at all (the caller turns that into a verdict).
 */
export function policyProbeOptions(entry: PolicyEntry, base: ProbeOptions, ctx: PolicyContext = {}): { options: ProbeOptions; notes: string[] } {
  if (!entry.level) throw new UsageError(entry.invalidReason ?? 'invalid security level');
  const notes: string[] = [];
  const level: Level = entry.level;
  const a = entry.attrs;
  const options: ProbeOptions = {
    ...base,
    level,
    match: undefined,
    servername: undefined,
    protocols: a.protocols,
    ciphers: a.ciphers,
    excludeCiphers: a.exclude,
    fingerprintDigest: 'sha256',
  };
  if (level === 'fingerprint') {
    if (!a.match?.length) throw new UsageError(`configured at fingerprint security level, but with no fingerprints to match (smtp_tls_fingerprint_cert_match is empty by default): ${POSTFIX_INVALID_POLICY_DSN}`);
    options.match = a.match;
  } else if (mustPkix(level)) {
    const match = a.match ?? [...defaultMatch(level)];
    // mxprobe's "hostname" follows --servername; Postfix's is always the host it connects to.
    options.match = entry.keyKind === 'host' ? match.map((m) => (m === 'hostname' ? entry.host : m)) : match;
  }
  const sni = a.servername;
  if (sni !== undefined && sni !== 'hostname') {
    const name = sni === 'nexthop' ? (entry.keyKind === 'pattern' ? ctx.domain ?? entry.host : entry.host) : sni;
    options.servername = name;
    if (entry.keyKind !== 'host' && options.match?.includes('hostname')) {
      notes.push(`servername=${sni}: mxprobe also checks the certificate for ${name} where Postfix checks the MX host name ("hostname")`);
    }
  }
  if (a.tafile?.length) {
    const texts = a.tafile.map((f) => ctx.tafiles?.get(f));
    if (texts.every((t) => t !== undefined)) {
      options.ca = texts.join('\n');
      options.appendCa = false;
      notes.push('tafile=: its certificates replace the trust store; Postfix also accepts an intermediate or the leaf itself as trust anchor (partial chains), mxprobe only a full chain');
    } else {
      notes.push('tafile= not read: the --ca-file / bundled trust store was used instead');
    }
  }
  return { options, notes };
}

/** OpenSSL X509_NAME_oneline style: "/O=mxprobe tests/CN=Test CA" from Node's "O=...\nCN=...". */
function onelineName(name: string): string {
  return name.split(/\n|, (?=[A-Za-z][A-Za-z0-9.]*=)/).filter(Boolean).map((part) => `/${part}`).join('');
}

/**
 * tls_log_verify_error() for a failed chain: Postfix's wording by OpenSSL error, and PURPOSE
 * ("server") where Postfix prints it. Hostname mismatch is OpenSSL's default case (num=62).
 */
export function verifyErrorMessage(r: ProbeResult): string | null {
  const v = r.verification;
  const label = postfixLabel(r);
  if (!v) return null;
  if (v.trusted) return v.hostnameMatch ? null : `server certificate verification failed for ${label}: num=62:hostname mismatch`;
  const chain = r.certificates;
  switch (v.error?.openssl ?? '') {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `certificate verification failed for ${label}: self-signed certificate`;
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN': {
      // The issuer OpenSSL could not find: that of the last certificate the server sent.
      const last = chain[chain.length - 1];
      return `certificate verification failed for ${label}: untrusted issuer ${last ? onelineName(last.issuer) : '<unknown>'}`;
    }
    case 'CERT_UNTRUSTED':
      return `certificate verification failed for ${label}: not trusted by local or TLSA policy`;
    case 'CERT_NOT_YET_VALID':
      return `server certificate verification failed for ${label}: certificate not yet valid`;
    case 'CERT_HAS_EXPIRED':
      return `server certificate verification failed for ${label}: certificate has expired`;
    case 'INVALID_PURPOSE':
      return `certificate verification failed for ${label}: not designated for use as a server certificate`;
    default:
      return `server certificate verification failed for ${label}: ${v.error?.openssl ?? v.error?.reason ?? 'verification failed'}`;
  }
}

/** "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits)" (tls_log_summary's tail). */
function tlsSummary(r: ProbeResult): string {
  const t = r.tls!;
  return `${t.protocol} with cipher ${t.cipher.name}${t.cipher.bits !== null ? ` (${t.cipher.bits} bits)` : ''}`;
}

/** Where Postfix is in the conversation, for "timed out while ..." (smtp_proto.c `where`). */
const WHERE: Partial<Record<string, string>> = {
  banner: 'receiving the initial server greeting',
  ehlo: 'performing the EHLO handshake',
  starttls: 'receiving the STARTTLS response',
  handshake: 'performing the TLS handshake',
  'ehlo-tls': 'performing the EHLO handshake',
};

/** A failure before any TLS judgement, in Postfix's words. */
function errorMessage(r: ProbeResult): string {
  const e = r.error!;
  const label = postfixLabel(r);
  const where = WHERE[e.phase] ?? `in phase ${e.phase}`;
  switch (e.code) {
    case 'dns-nxdomain': case 'dns-no-address': case 'dns-error':
      return `Host or domain name not found: ${e.message}`;
    case 'null-mx':
      return `${r.nexthop}: domain does not accept mail (nullMX)`;
    case 'refused': return `connect to ${label}: Connection refused`;
    case 'unreachable': return `connect to ${label}: Network is unreachable`;
    case 'timeout':
      return e.phase === 'connect' ? `connect to ${label}: Connection timed out` : `conversation with ${label} timed out while ${where}`;
    case 'closed': case 'reset':
      return `lost connection with ${label} while ${where}`;
    case 'starttls-not-offered':
      return `TLS is required, but was not offered by host ${label}`;
    case 'starttls-refused': {
      const reply = e.reply ? `${e.reply.code}${e.reply.enhanced ? ` ${e.reply.enhanced}` : ''} ${e.reply.text.split('\n')[0]}` : e.message;
      return `TLS is required, but host ${label} refused to start TLS: ${reply}`;
    }
    case 'tls-handshake':
      return `Cannot start TLS: handshake failure (${e.message})`;
    case 'smtp-reply':
      if (e.phase === 'banner') return `host ${label} refused to talk to me: ${e.reply ? `${e.reply.code} ${e.reply.text.split('\n')[0]}` : e.message}`;
      return `host ${label} said: ${e.message}`;
    default:
      return `${e.message} (${e.phase}/${e.code})`;
  }
}

/**
 * One host (one ProbeResult) in Postfix's words. The decision is the probe's (`r.postfix`,
 * src/levels.ts postfixOutcome); nothing is judged here a second time.
 */
export function judgeHost(r: ProbeResult): HostVerdict {
  const label = postfixLabel(r);
  const p = r.postfix;
  const out = (message: string, detail?: string): HostVerdict =>
    ({ label, host: r.host, address: r.address, port: r.port, pass: p.deliver, plaintext: p.plaintext, tls: p.connectionClass, status: r.status, message, ...(detail ? { detail } : {}) });
  const e = r.error;
  switch (p.reason) {
    case null:
      return out(`${p.connectionClass} TLS connection established to ${label}: ${tlsSummary(r)}`);
    case 'tls-disabled':
      return out(`plaintext to ${label} (TLS disabled at level none)`);
    case 'tls-failed-fallback':
      return out(`TLS session with ${label} failed (${e?.message ?? 'handshake failed'}): Postfix retries in plaintext`);
    case 'starttls-refused': {
      const reply = r.smtp.starttls.reply;
      return out(`host ${label} refused to start TLS (${reply ? `${reply.code} ${reply.text.split('\n')[0]}` : 'no reply'}): plaintext`);
    }
    case 'tls-not-offered':
      return out(p.deliver ? `TLS not offered by host ${label}: plaintext` : `TLS is required, but was not offered by host ${label}`);
    case 'dane-required':
      return out(`${r.dane?.lookup === 'dns-error' ? 'TLSA lookup error' : 'no usable TLSA records'} for ${label}: ${r.dane?.reason ?? 'DANE required'}`);
    case 'not-authenticated':
      return out('Server certificate not verified', notAuthenticatedDetail(r, label));
    case 'error':
      return out(errorMessage(r));
  }
}

/** tls_log_verify_error()'s line for a peer the level did not accept. */
function notAuthenticatedDetail(r: ProbeResult, label: string): string {
  // OpenSSL's security level 1 refused a weak signature or key (src/tls/strength.ts says which).
  const weak = r.findings.find((f) => f.severity === 'critical' && (f.code === 'weak-signature' || f.code === 'weak-key'));
  if (weak) return `server certificate verification failed for ${label}: ${weak.message.replace(/^.*: /, '')}`;
  if (daneBased(r.postfix.effectiveLevel)) {
    return `server certificate verification failed for ${label}: num=65:no matching DANE TLSA records${r.dane?.failure ? ` (${r.dane.failure})` : ''}`;
  }
  if (r.postfix.effectiveLevel === 'fingerprint') {
    return `server certificate verification failed for ${label}: num=65:no matching DANE TLSA records (no match= digest equals ${r.certificates[0]?.sha256 ?? 'the certificate'})`;
  }
  return verifyErrorMessage(r) ?? `no certificate from ${label}`;
}

const lintStatus = (lint: readonly LintFinding[]): Status => statusOfFindings(lint);

type VerdictBase = Omit<PolicyVerdict, 'deliver' | 'state' | 'status' | 'because' | 'hosts' | 'results' | 'notes'>;

export function baseOf(entry: PolicyEntry, destination: string | null, lint: LintFinding[]): VerdictBase {
  return { line: entry.line, endLine: entry.endLine, key: entry.key, keyKind: entry.keyKind, level: entry.level, policy: entry.value, destination, lint };
}

/** Verdict for an entry that is not probed: invalid, duplicate, pattern, offline, unsupported. */
export function unprobedVerdict(entry: PolicyEntry, lint: LintFinding[], reason: string, opts: { destination?: string | null; notes?: string[] } = {}): PolicyVerdict {
  const base = baseOf(entry, opts.destination ?? null, lint);
  if (!entry.valid) {
    return {
      ...base, deliver: false, state: 'invalid', status: 'critical', hosts: [], results: [], notes: opts.notes ?? [],
      because: `Postfix would defer all mail for this destination: ${POSTFIX_INVALID_POLICY_DSN} (${entry.invalidReason ?? 'invalid policy'})`,
    };
  }
  return { ...base, deliver: null, state: 'not-probed', status: lintStatus(lint), because: reason, hosts: [], results: [], notes: opts.notes ?? [] };
}

/**
 * The verdict from an entry's ProbeResults (probed with policyProbeOptions): every host judged,
 * the MX session limit applied, lints with results added.
 */
export function judgeEntry(entry: PolicyEntry, destination: string, results: ProbeResult[], lint: LintFinding[], notes: string[] = []): PolicyVerdict {
  const hosts = results.map(judgeHost);
  const probed = lintWithResults(entry, results);
  const allLint = [...lint, ...probed];
  const base = { ...baseOf(entry, destination, allLint), hosts, results, notes };
  // smtp_mx_session_limit counts only sessions that got past smtp_helo() and then failed in
  // MAIL/RCPT/DATA; smtp_mx_address_limit counts every address tried.
  let sessions = 0;
  let chosen: HostVerdict | null = null;
  let beyondLimit: HostVerdict | null = null;
  for (const [i, h] of hosts.entries()) {
    const withinLimits = sessions < MX_SESSION_LIMIT && i < MX_ADDRESS_LIMIT;
    if (h.pass) {
      if (withinLimits) chosen = h;
      else beyondLimit = h;
      break;
    }
    const phase = results[i].error?.phase;
    if (phase === 'mail' || phase === 'rcpt' || phase === 'data') sessions++;
  }
  const failed = hosts.filter((h) => !h.pass);
  const failText = (hs: HostVerdict[]) => hs.map((h) => (h.detail ? `${h.message} (${h.detail})` : `${h.message}${h.message.includes(h.label) ? '' : ` (${h.label})`}`)).join('; ');
  if (!chosen) {
    const because = beyondLimit
      ? `Postfix would defer: ${beyondLimit.label} is never tried (smtp_mx_session_limit = ${MX_SESSION_LIMIT}, smtp_mx_address_limit = ${MX_ADDRESS_LIMIT}): ${failText(failed)}`
      : hosts.length === 0 ? 'Postfix would defer: no host to try' : `Postfix would defer: ${failText(failed)}`;
    return { ...base, deliver: false, state: 'defer', status: 'critical', because };
  }
  // The chosen host's own verdict: a may entry delivering in plaintext is the probe's WARNING, a
  // certificate that expires within --crit-days its CRITICAL, although Postfix still delivers.
  let status: Status = chosen.status === 'unknown' ? 'critical' : chosen.status;
  let because = `Postfix would deliver: ${chosen.message}`;
  if (failed.length > 0) {
    status = worse(status, 'warning');
    because += `; ${failed.length} of ${hosts.length} hosts would fail: ${failText(failed)}`;
  }
  status = worse(worse(status, lintStatus(lint)), lintStatus(probed));
  return { ...base, deliver: true, state: 'deliver', status, because };
}

/** An entry ready to probe, or its verdict when it is not probed. */
export type PreparedEntry =
  | { kind: 'verdict'; verdict: PolicyVerdict }
  | { kind: 'probe'; destination: string; options: ProbeOptions; notes: string[] };

/**
 * What probing an entry takes: its destination and options, or (invalid, duplicate, pattern,
 * offline, settings no TLS library can use) its verdict straight away. `lint` is the entry's
 * offline lint. `check` validates the options as the probe will (resolveOptions), so a
 * protocols= or ciphers= that leaves nothing is this entry's verdict, not a usage error.
 */
export function prepareEntry(entry: PolicyEntry, base: ProbeOptions, lint: LintFinding[], ctx: PolicyContext & { offline?: boolean }, check: (o: ProbeOptions) => void): PreparedEntry {
  const verdict = (v: PolicyVerdict): PreparedEntry => ({ kind: 'verdict', verdict: v });
  if (!entry.valid) return verdict(unprobedVerdict(entry, lint, ''));
  if (entry.duplicateOf !== undefined) return verdict(unprobedVerdict(entry, lint, `duplicate of the entry at line ${entry.duplicateOf}: Postfix never uses this one`));
  const where = policyDestination(entry, ctx);
  if ('skip' in where) return verdict(unprobedVerdict(entry, lint, where.skip));
  if (ctx.offline) return verdict(unprobedVerdict(entry, lint, 'not probed (--offline)', { destination: where.destination }));
  let prepared: { options: ProbeOptions; notes: string[] };
  try {
    prepared = policyProbeOptions(entry, base, ctx);
    check(prepared.options);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return verdict(cannotProbe(entry, lint, where.destination, err.message));
  }
  return { kind: 'probe', destination: where.destination, ...prepared };
}

/** The entry's settings cannot be used for TLS here (no protocol or cipher left, no digests). */
export function cannotProbe(entry: PolicyEntry, lint: LintFinding[], destination: string, message: string, notes: string[] = []): PolicyVerdict {
  const base = baseOf(entry, destination, lint);
  if (entry.level && tlsRequired(entry.level)) {
    return { ...base, deliver: false, state: 'defer', status: 'critical', hosts: [], results: [], notes, because: `Postfix would defer: TLS cannot be set up with this policy: ${message}` };
  }
  return { ...base, deliver: null, state: 'not-probed', status: worse('warning', lintStatus(lint)), hosts: [], results: [], notes, because: `not probed: ${message}; at level ${entry.level} Postfix falls back to plaintext` };
}
