import type { SecureVersion } from 'node:tls';
import { UsageError } from './errors.js';
import type { Level, ProbeOptions, QuitAfter } from './types.js';
import { DEFAULT_TIMEOUTS } from './smtp/limits.js';
import { defaultEhloName } from './smtp/ehlo-name.js';
import { parseProtocols } from './policy/protocols.js';
import { nodeCiphers } from './policy/ciphers.js';
import { parseMatch } from './policy/levels.js';
import { resolvePolicyOptions, type PolicyResolvedOptions } from './policy-dns/options.js'; // issue 8

/** ProbeOptions with every default filled in and every value checked. */
export interface ResolvedOptions extends Required<Pick<ProbeOptions,
  'level' | 'ehlo' | 'to' | 'pipelining' | 'connectTimeoutMs' | 'timeoutMs' | 'bannerTimeoutMs' |
  'tlsTimeoutMs' | 'warnDays' | 'critDays' | 'match' | 'fingerprintDigest' | 'transcript' | 'showCerts'>>, PolicyResolvedOptions {
  from: string;
  quitAfter: QuitAfter;
  data: string | Buffer | undefined;
  sendData: boolean;
  servername: string | undefined;
  ca: string | undefined;
  appendCa: boolean;
  ciphers: string;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  deadlineMs: number | undefined;
  minTls: SecureVersion | undefined;
  family: 4 | 6 | undefined;
  starttls: boolean | undefined;
  implicit: boolean | undefined;
  signal: AbortSignal | undefined;
}

export const LEVELS: readonly Level[] = ['none', 'may', 'encrypt', 'fingerprint', 'verify', 'secure', 'dane', 'dane-only'];
export const QUIT_AFTER: readonly QuitAfter[] = ['ehlo', 'tls', 'mail', 'rcpt', 'data'];
const VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];


export function resolveOptions(options: ProbeOptions = {}): ResolvedOptions {
  const level = options.level ?? 'verify';
  if (!LEVELS.includes(level)) throw new UsageError(`unknown level '${level}' (one of ${LEVELS.join(', ')})`);
  const to = options.to ?? [];
  const quitAfter = options.quitAfter ?? (options.data !== undefined ? 'data' : to.length ? 'rcpt' : 'tls');
  if (!QUIT_AFTER.includes(quitAfter)) throw new UsageError(`unknown --quit-after '${quitAfter}' (one of ${QUIT_AFTER.join(', ')})`);
  if ((quitAfter === 'rcpt' || quitAfter === 'data') && to.length === 0) throw new UsageError(`--quit-after ${quitAfter} needs at least one --to address`);
  if (options.starttls && options.implicit) throw new UsageError('--starttls and --implicit exclude each other');
  checkAddress(options.from ?? '', '--from', true);
  for (const addr of to) checkAddress(addr, '--to', false);
  const match = options.match?.length ? parseMatch(level, options.match) : [];
  if (level === 'fingerprint' && !match.length) throw new UsageError('level fingerprint needs at least one --match digest');
  // Postfix's smtp client default: smtp_tls_protocols = >=TLSv1 (and its medium grade).
  const protocols = parseProtocols(options.protocols ?? '>=TLSv1');
  const ciphers = nodeCiphers({ grade: options.ciphers ?? 'medium', exclude: options.excludeCiphers, level, legacyProtocols: protocols.needsSeclevel0 });
  const minTls = options.minTls === undefined ? undefined : checkVersion(options.minTls, '--min-tls');
  const timeouts = {
    connectTimeoutMs: positive(options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs, '--connect-timeout'),
    timeoutMs: positive(options.timeoutMs ?? DEFAULT_TIMEOUTS.timeoutMs, '--timeout'),
    bannerTimeoutMs: positive(options.bannerTimeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUTS.bannerTimeoutMs, '--banner-timeout'),
    tlsTimeoutMs: positive(options.tlsTimeoutMs ?? DEFAULT_TIMEOUTS.tlsTimeoutMs, '--tls-timeout'),
  };
  return {
    level,
    ehlo: options.ehlo ?? defaultEhloName(),
    from: options.from ?? '',
    to,
    data: options.data,
    sendData: options.data !== undefined || quitAfter === 'data',
    quitAfter,
    pipelining: options.pipelining ?? true,
    servername: options.servername,
    ca: options.ca,
    appendCa: options.appendCa ?? false,
    match,
    fingerprintDigest: options.fingerprintDigest ?? 'sha256',
    ciphers: ciphers.ciphers,
    minVersion: protocols.minVersion,
    maxVersion: protocols.maxVersion,
    ...timeouts,
    deadlineMs: options.deadlineMs === undefined ? undefined : positive(options.deadlineMs, '--deadline'),
    warnDays: options.warnDays ?? 21,
    critDays: options.critDays ?? 7,
    minTls,
    family: options.family,
    starttls: options.starttls,
    implicit: options.implicit,
    transcript: options.transcript ?? false,
    showCerts: options.showCerts ?? false,
    signal: options.signal,
    ...resolvePolicyOptions(options, level), // issue 8: --next-cert, --mta-sts, --tlsrpt
  };
}

function positive(value: number, flag: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number of milliseconds, got ${value}`);
  return value;
}

export function checkVersion(value: string, flag: string): SecureVersion {
  const v = VERSIONS.find((x) => x.toLowerCase() === value.toLowerCase());
  if (!v) throw new UsageError(`${flag}: unknown TLS version '${value}' (one of ${VERSIONS.join(', ')})`);
  return v;
}

// RFC 5321 §4.1.2 Mailbox = Local-part "@" Domain; RCPT TO:<postmaster> is the one
// address allowed without a domain (§4.5.1), MAIL FROM:<> the null sender. No
// spaces, brackets or control characters: an address never smuggles a command.
function checkAddress(addr: string, flag: string, nullAllowed: boolean): void {
  if (addr === '' && nullAllowed) return;
  if (!nullAllowed && addr.toLowerCase() === 'postmaster') return;
  const at = addr.lastIndexOf('@');
  if (/[\s<>\x00-\x1f\x7f]/.test(addr) || at < 1 || at === addr.length - 1) {
    throw new UsageError(`${flag}: invalid mail address '${addr}' (expected local@domain)`);
  }
}

