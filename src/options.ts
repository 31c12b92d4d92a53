// ProbeOptions → ResolvedOptions: every value checked and every default filled in, from the
// option table (src/cli-options.ts), before the first packet. The library checks its options
// the way the CLI checks its flags: an unknown key is a UsageError naming the nearest real one,
// so `probe(dest, { cafile: 'root.pem' })` fails loudly instead of reporting "untrusted".
import { readFileSync } from 'node:fs';
import type { SecureVersion } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { UsageError } from './errors.js';
import type { Level, ProbeOptions, QuitAfter } from './types.js';
import { defaultEhloName } from './smtp/ehlo-name.js';
import { parseProtocols } from './policy/protocols.js';
import { nodeCiphers } from './policy/ciphers.js';
import { parseMatch } from './policy/match.js';
import { LEVELS } from './levels.js';
import { QUIT_AFTER, optionDefault, parseTlsVersion } from './cli-options.js';
import { checkEhloName, checkMailbox } from './grammar.js';
import { checkOptionKeys } from './option-keys.js';
import { readPemCertificates } from './pem.js';
import { DEFAULT_FETCH_TIMEOUT_MS } from './mta-sts/fetch.js';
import { daneBased } from './levels.js';
import { resolveSubmissionOptions, type SubmissionResolvedOptions } from './submission-options.js';

/** ProbeOptions with every default filled in and every value checked. */
export interface ResolvedOptions extends SubmissionResolvedOptions {
  level: Level;
  ehlo: string;
  from: string;
  to: string[];
  quitAfter: QuitAfter;
  data: string | Buffer | undefined;
  sendData: boolean;
  pipelining: boolean;
  /** Read the server's handshake flight (tls.peerSignature, tls.certificateRequested). */
  handshakeTrace: boolean;
  servername: string | undefined;
  /** PEM trust anchors (from `ca` or the file `caFile`). */
  ca: string | undefined;
  appendCa: boolean;
  match: string[];
  fingerprintDigest: 'sha256' | 'sha1' | 'md5';
  ciphers: string;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  connectTimeoutMs: number;
  timeoutMs: number;
  bannerTimeoutMs: number;
  tlsTimeoutMs: number;
  deadlineMs: number | undefined;
  warnDays: number;
  critDays: number;
  minTls: SecureVersion | undefined;
  family: 4 | 6 | undefined;
  starttls: boolean | undefined;
  implicit: boolean | undefined;
  transcript: boolean;
  showCerts: boolean;
  /** --next-cert: the next certificate, then its chain, as in the PEM file. */
  nextCert: X509Certificate[] | undefined;
  mtaSts: boolean;
  tlsrpt: boolean;
  mtaStsPort: number;
  mtaStsTimeoutMs: number;
  /** --resolver given: DNS and the MTA-STS fetch's name lookups go there. */
  resolver: string[];
  signal: AbortSignal | undefined;
  onSilentGreeting: ProbeOptions['onSilentGreeting'];
}

export function resolveOptions(options: ProbeOptions = {}): ResolvedOptions {
  checkOptionKeys(options, 'probe');
  const level = options.level ?? optionDefault<Level>('level');
  if (!LEVELS.includes(level)) throw new UsageError(`unknown level '${level}' (one of ${LEVELS.join(', ')})`);
  const to = options.to ?? [];
  const quitAfter = options.quitAfter ?? (options.data !== undefined ? 'data' : to.length ? 'rcpt' : 'tls');
  if (!QUIT_AFTER.includes(quitAfter)) throw new UsageError(`unknown --quit-after '${quitAfter}' (one of ${QUIT_AFTER.join(', ')})`);
  if ((quitAfter === 'rcpt' || quitAfter === 'data') && to.length === 0) throw new UsageError(`--quit-after ${quitAfter} needs at least one --to address`);
  if (options.starttls && options.implicit) throw new UsageError('--starttls and --implicit exclude each other');
  const from = checkMailbox(options.from ?? '', '--from', { nullAllowed: true });
  for (const addr of to) checkMailbox(addr, '--to', { postmaster: true });
  const ehlo = options.ehlo === undefined ? defaultEhloName() : checkEhloName(options.ehlo);
  const match = options.match?.length ? parseMatch(level, options.match) : [];
  if (level === 'fingerprint' && !match.length) throw new UsageError('level fingerprint needs at least one --match digest');
  const protocols = parseProtocols(options.protocols ?? optionDefault<string>('protocols'));
  const ciphers = nodeCiphers({ grade: options.ciphers ?? optionDefault<string>('ciphers'), exclude: options.excludeCiphers, level });
  const minTls = options.minTls === undefined ? undefined : parseTlsVersion('--min-tls')(options.minTls);
  const timeouts = {
    connectTimeoutMs: positive(options.connectTimeoutMs ?? optionDefault<number>('connect-timeout'), '--connect-timeout'),
    timeoutMs: positive(options.timeoutMs ?? optionDefault<number>('timeout'), '--timeout'),
    // An explicit --timeout also bounds the greeting unless --banner-timeout says otherwise.
    bannerTimeoutMs: positive(options.bannerTimeoutMs ?? options.timeoutMs ?? optionDefault<number>('banner-timeout'), '--banner-timeout'),
    tlsTimeoutMs: positive(options.tlsTimeoutMs ?? optionDefault<number>('tls-timeout'), '--tls-timeout'),
  };
  if (options.ca !== undefined && options.caFile !== undefined) throw new UsageError('give the trust anchors as ca (PEM text) or caFile (a path), not both');
  const ca = options.caFile !== undefined ? readCaFile(options.caFile) : options.ca === undefined ? undefined : checkCaText(options.ca, 'ca');
  if (options.appendCa && ca === undefined) throw new UsageError('--append-ca needs --ca-file FILE');
  let nextCert: X509Certificate[] | undefined;
  if (options.nextCert !== undefined) {
    if (!daneBased(level)) throw new UsageError('--next-cert checks published TLSA records: use it with --level dane or dane-only');
    nextCert = readPemCertificates(options.nextCert, '--next-cert').certificates;
  }
  const mtaStsPort = options.mtaStsPort ?? optionDefault<number>('mta-sts-port');
  if (!Number.isInteger(mtaStsPort) || mtaStsPort < 1 || mtaStsPort > 65535) throw new UsageError(`--mta-sts-port must be 1-65535, got ${mtaStsPort}`);
  return {
    level,
    ehlo,
    from,
    to,
    data: options.data,
    sendData: options.data !== undefined || quitAfter === 'data',
    quitAfter,
    pipelining: options.pipelining ?? true,
    handshakeTrace: options.handshakeTrace ?? true,
    servername: options.servername,
    ca,
    appendCa: options.appendCa ?? false,
    match,
    fingerprintDigest: options.fingerprintDigest ?? optionDefault<'sha256'>('fingerprint-digest'),
    ciphers: ciphers.ciphers,
    minVersion: protocols.minVersion,
    maxVersion: protocols.maxVersion,
    ...timeouts,
    deadlineMs: options.deadlineMs === undefined ? undefined : positive(options.deadlineMs, '--deadline'),
    warnDays: options.warnDays ?? optionDefault<number>('warn-days'),
    critDays: options.critDays ?? optionDefault<number>('crit-days'),
    minTls,
    family: options.family,
    starttls: options.starttls,
    implicit: options.implicit,
    transcript: options.transcript ?? false,
    showCerts: options.showCerts ?? false,
    nextCert,
    mtaSts: options.mtaSts ?? false,
    tlsrpt: options.tlsrpt ?? false,
    mtaStsPort,
    mtaStsTimeoutMs: options.mtaStsTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    resolver: options.resolver ?? [],
    signal: options.signal,
    onSilentGreeting: options.onSilentGreeting,
    // AUTH, client certificate, REQUIRETLS, --compare-relay (src/submission-options.ts).
    ...resolveSubmissionOptions(options),
  };
}

function positive(value: number, flag: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number of milliseconds, got ${value}`);
  return value;
}

/** Read once per process: a policy table resolves the same --ca-file for every entry. */
const caFiles = new Map<string, string>();

/** --ca-file / caFile: the PEM text of a trust-anchor file, every certificate in it readable. */
function readCaFile(path: string): string {
  const cached = caFiles.get(path);
  if (cached !== undefined) return cached;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--ca-file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const checked = checkCaText(text, `--ca-file ${path}`);
  caFiles.set(path, checked);
  return checked;
}

/**
 * A trust-anchor bundle that is not one (a key, a DER file, a typo, one corrupt block) would make
 * every chain "untrusted": every block must parse; exactly the certificates checked are used.
 */
function checkCaText(text: string, source: string): string {
  return readPemCertificates(text, source).pem;
}
