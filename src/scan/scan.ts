// `scan DEST`: the server's whole TLS capability, every attempt one connection through one
// AttemptRunner (a few at once, one at a time once the server refuses one, backoff, a breaker),
// the pieces in parallel, then graded. A scan is never greener than a probe of the same server:
// a port that offers TLS where no handshake completes fails with the probe's error code.
import { isIP } from '../ip.js';
import { parseDestination } from '../destination.js';
import { createResolver, resolveDestination } from '../resolve.js';
import { asRateLimited } from '../smtp/rate-limit.js';
import { DEFAULT_TIMEOUTS } from '../smtp/limits.js';
import { defaultEhloName } from '../smtp/ehlo-name.js';
import type { Destination, ProbeErrorInfo } from '../types.js';
import { SCHEMA_VERSION } from '../types.js';
import type { ScanFeatureName, ScanOptions, ScanProtocol, ScanProtocolName, ScanResult } from './types.js';
import type { AttemptResult } from './attempt.js';
import { AttemptRunner } from './runner.js';
import { scanProtocolCiphers } from './ciphers.js';
import { scanSslv2, scanSslv3, scanHelloExtensions } from './legacy.js';
import { GROUPS, scanGroups } from './groups.js';
import { scanCertificates } from './certificates.js';
import { preflight, sessionIdResumption, ticketResumption, type Preflight } from './features.js';
import { scanFallbackScsv } from './fallback.js';
import { scanHeartbleed } from './heartbleed.js';
import { testStarttlsInjection } from './injection.js';
import { gradeScan, type ScanFacts } from './profiles/index.js';
import type { ScanTarget } from './target.js';

export const DEFAULT_PER_HOST = 4;
const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
const QUICK = 'quick scan: not tested';

/** Where to connect: the destination's first host and address (a scan is of one server). */
async function locate(dest: Destination, o: ScanOptions): Promise<{ host: string; address: string } | ProbeErrorInfo> {
  const resolution = await resolveDestination(dest, { resolver: createResolver({ servers: o.resolver }), family: o.family, mxMode: 'first', signal: o.signal });
  if (resolution.error) return resolution.error;
  const host = resolution.hosts.find((h) => h.addresses.length > 0);
  if (!host) return resolution.hosts[0]?.error ?? { phase: 'resolve', code: 'dns-no-address', message: `no address for ${dest.host}` };
  return { host: host.host, address: host.addresses[0].address };
}

function emptyScan(dest: Destination, o: ScanOptions, address: string | null): ScanResult {
  return {
    schemaVersion: SCHEMA_VERSION, kind: 'scan', destination: dest.input, host: dest.host, address, port: dest.port,
    mode: dest.mode === 'implicit' ? 'implicit' : 'starttls', profile: o.profile ?? 'ncsc', quick: o.quick === true, status: 'unknown', findings: [], error: null,
    incomplete: false, negotiated: null, protocols: [], groups: [], dheBits: null, certificates: [],
    features: {
      sessionIdResumption: null, ticketResumption: null, secureRenegotiation: null, compression: null, ocspStapling: null,
      starttlsInjection: null, fallbackScsv: null, heartbleed: [], untested: {},
    },
    attempts: { connections: 0, unavailable: 0, retries: 0, maxParallel: 0, rateLimited: 0, backoffMs: 0, adaptive: false },
    timingMs: { total: 0 },
  };
}

function finish(r: ScanResult, started: number): ScanResult {
  r.timingMs.total = Math.round(performance.now() - started);
  const { status, findings } = gradeScan(r.profile, r as ScanFacts);
  r.status = status;
  r.findings = findings;
  return r;
}

/** A deferred value: protocol acceptance is known after each version's first pick, long before its cipher list. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Scan one server. Server faults come back as data (`error`, `incomplete`); only bad input rejects. */
export async function scan(destination: string | Destination, o: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const dest = typeof destination === 'string' ? parseDestination(destination, { starttls: o.starttls, implicit: o.implicit, port: o.port }) : destination;
  const result = emptyScan(dest, o, null);
  const where = await locate(dest, o);
  if ('code' in where) {
    result.error = where;
    return finish(result, started);
  }
  result.host = where.host;
  result.address = where.address;
  const sni = o.servername ?? where.host;
  const t: ScanTarget = {
    host: where.host, address: where.address, port: dest.port, mode: result.mode === 'implicit' ? 'implicit' : 'starttls',
    servername: sni && !isIP(sni) ? sni : null,
    ehlo: o.ehlo ?? defaultEhloName(),
    connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUTS.timeoutMs,
    bannerTimeoutMs: o.bannerTimeoutMs ?? o.timeoutMs ?? DEFAULT_TIMEOUTS.bannerTimeoutMs,
    tlsTimeoutMs: o.tlsTimeoutMs ?? DEFAULT_TIMEOUTS.tlsTimeoutMs,
  };
  const controller = new AbortController();
  const perHost = o.perHost ?? DEFAULT_PER_HOST;
  const runner = new AttemptRunner({ perHost, signal: controller.signal, deadlineAt: o.deadlineMs ? started + o.deadlineMs : undefined });
  const stop = (why: string) => {
    runner.abortReason ??= why;
    controller.abort();
  };
  const onAbort = () => stop('not tried: the scan was interrupted');
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const deadline = o.deadlineMs ? setTimeout(() => stop(`not tried: the scan deadline of ${o.deadlineMs} ms was reached`), o.deadlineMs) : null;
  const signal = controller.signal;
  try {
    // The default handshake and the rest start together: nothing but ticket resumption needs its
    // answer, and the scan's critical path is shorter by a handshake.
    const preP = preflight(runner, t, signal);
    const body = o.quick ? quickScan(result, runner, t, preP, signal) : fullScan(result, runner, t, preP, perHost, signal);
    const [pre] = await Promise.all([preP, body]);
    if (pre.kind === 'unavailable' || pre.kind === 'skipped') {
      // Nothing was learned: the lists filled with "not tried" say nothing the error does not.
      const empty = emptyScan(dest, o, where.address);
      Object.assign(result, { protocols: empty.protocols, groups: empty.groups, certificates: empty.certificates, features: empty.features, dheBits: null });
      result.error = pre.kind === 'unavailable' ? failureInfo(runner, pre.error.toInfo()) : abortedInfo(runner, o.deadlineMs);
      return finish(Object.assign(result, { attempts: counts(runner) }), started);
    }
    const p = pre.kind === 'accepted' ? pre.value : null;
    result.negotiated = p?.negotiated ?? null;
    result.features.ocspStapling = p ? p.ocspStapling : null;
    if (!p) result.features.untested.ocspStapling = 'no handshake completed';
    if (!result.protocols.some((x) => x.accepted === true) && (pre.kind === 'rejected' || pre.kind === 'failed')) {
      // TLS is offered (STARTTLS got its 220, or the port is implicit) and nothing completes a
      // handshake: the probe's failure, never "no protocol accepted".
      result.error = handshakeFailureInfo(pre);
    } else if (runner.tripped || signal.aborted) {
      result.incomplete = true;
      result.error = runner.tripped ? failureInfo(runner, runner.tripped.toInfo()) : abortedInfo(runner, o.deadlineMs);
    }
    result.attempts = counts(runner);
    return finish(result, started);
  } finally {
    runner.close();
    if (deadline) clearTimeout(deadline);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

type PreflightResult = Promise<AttemptResult<Preflight>>;

/** The groups of the highest version the server accepts: TLS 1.3's (HelloRetryRequest), else the TLS 1.2 curves. */
async function highestForGroups(acceptance: Record<(typeof TLS_VERSIONS)[number], Promise<boolean | null>>): Promise<ScanProtocolName | null> {
  if ((await acceptance['TLSv1.3']) === true) return 'TLSv1.3';
  const below = await Promise.all((['TLSv1.2', 'TLSv1.1', 'TLSv1'] as const).map((v) => acceptance[v]));
  return below.some((a) => a === true) ? 'TLSv1.2' : null;
}

/** Protocols, every cipher of each, groups, certificates and every feature. */
async function fullScan(result: ScanResult, runner: AttemptRunner, t: ScanTarget, preP: PreflightResult, perHost: number, signal: AbortSignal): Promise<void> {
  const acceptance = Object.fromEntries(TLS_VERSIONS.map((v) => [v, deferred<boolean | null>()])) as Record<(typeof TLS_VERSIONS)[number], ReturnType<typeof deferred<boolean | null>>>;
  const accepts = Object.fromEntries(TLS_VERSIONS.map((v) => [v, acceptance[v].promise])) as Record<(typeof TLS_VERSIONS)[number], Promise<boolean | null>>;
  const protocolTask = (v: (typeof TLS_VERSIONS)[number]): Promise<ScanProtocol> => {
    return scanProtocolCiphers(runner, t, v, { shards: () => (runner.adaptive ? 1 : perHost), signal, onFirstPick: (a) => acceptance[v].resolve(a) }).then((r) => {
      acceptance[v].resolve(r.accepted);
      return r;
    });
  };
  // Fallback and Heartbleed need to know which versions the server accepts: each starts once the first pick of every version is in.
  const accepted = Promise.all(TLS_VERSIONS.map((v) => acceptance[v].promise)).then((a) => TLS_VERSIONS.filter((_, i) => a[i] === true));
  const [tlsProtocols, sslv2, sslv3, hello, groups, certificates, ticket, sessionId, injection, fallback, heartbleed] = await Promise.all([
    Promise.all(TLS_VERSIONS.map(protocolTask)),
    scanSslv2(runner, t, signal),
    scanSslv3(runner, t, signal),
    scanHelloExtensions(runner, t, signal),
    highestForGroups(accepts).then((v) => scanGroups(runner, t, v, signal)),
    scanCertificates(runner, t, signal),
    preP.then((pre) => (pre.kind === 'accepted' ? ticketResumption(runner, t, pre.value, signal) : { value: null, untestedReason: 'no default handshake completed' })),
    sessionIdResumption(runner, t, signal),
    testStarttlsInjection(runner, t, signal),
    accepted.then((a) => scanFallbackScsv(runner, t, a, signal)),
    accepted.then((a) => Promise.all(a.filter((v) => v !== 'TLSv1.3').map((v) => scanHeartbleed(runner, t, v as 'TLSv1' | 'TLSv1.1' | 'TLSv1.2', signal)))),
  ]);
  result.protocols = [sslv2, sslv3, ...tlsProtocols];
  result.groups = groups;
  result.dheBits = smallestDh(result.protocols);
  result.certificates = certificates;
  const f = result.features;
  const untested = f.untested;
  const note = (name: ScanFeatureName, why: string | null | undefined) => {
    if (why) untested[name] = why;
  };
  f.sessionIdResumption = sessionId.value;
  note('sessionIdResumption', sessionId.untestedReason);
  f.ticketResumption = ticket.value;
  note('ticketResumption', ticket.untestedReason);
  f.secureRenegotiation = hello.secureRenegotiation;
  f.compression = hello.compression;
  note('secureRenegotiation', hello.untestedReason);
  note('compression', hello.untestedReason);
  f.starttlsInjection = injection.result;
  if (injection.note) f.starttlsInjectionNote = injection.note;
  if (injection.result === null) note('starttlsInjection', injection.untestedReason ?? injection.note);
  f.fallbackScsv = fallback.supported;
  note('fallbackScsv', fallback.untestedReason);
  f.heartbleed = heartbleed.map(({ protocol, vulnerable }) => ({ protocol, vulnerable }));
  const hbUntested = heartbleed.filter((h) => h.untestedReason);
  if (hbUntested.length) note('heartbleed', hbUntested.map((h) => `${h.protocol}: ${h.untestedReason}`).join('; '));
  else if (heartbleed.length === 0) note('heartbleed', 'not applicable: no TLS <= 1.2 accepted');
}

/** --quick: protocols with the cipher a client offering everything gets, certificates, injection. */
async function quickScan(result: ScanResult, runner: AttemptRunner, t: ScanTarget, _preP: PreflightResult, signal: AbortSignal): Promise<void> {
  const [tlsProtocols, sslv2, sslv3, certificates, injection] = await Promise.all([
    Promise.all(TLS_VERSIONS.map((v) => scanProtocolCiphers(runner, t, v, { shards: () => 1, preferredOnly: true, signal }))),
    scanSslv2(runner, t, signal),
    scanSslv3(runner, t, signal),
    scanCertificates(runner, t, signal),
    testStarttlsInjection(runner, t, signal),
  ]);
  result.protocols = [sslv2, sslv3, ...tlsProtocols];
  const tls13 = tlsProtocols.find((p) => p.protocol === 'TLSv1.3')?.accepted === true;
  result.groups = GROUPS.filter(([, , ecdhe]) => tls13 || ecdhe).map(([name, bits, , hybrid]) => ({ name, accepted: null, protocol: null, bits, hybrid, untestedReason: QUICK }));
  result.dheBits = smallestDh(result.protocols);
  result.certificates = certificates;
  const f = result.features;
  f.starttlsInjection = injection.result;
  if (injection.note) f.starttlsInjectionNote = injection.note;
  if (injection.result === null) f.untested.starttlsInjection = injection.untestedReason ?? injection.note;
  for (const name of ['sessionIdResumption', 'ticketResumption', 'secureRenegotiation', 'compression', 'fallbackScsv', 'heartbleed'] as const) f.untested[name] = QUICK;
}

/** The smallest DH prime among accepted DHE suites (ADH included), from the key exchange each was seen with. */
function smallestDh(protocols: ScanProtocol[]): number | null {
  const sizes = protocols.flatMap((p) => p.ciphers).map((c) => /^DH (\d+)$/.exec(c.keyExchangeGroup ?? '')?.[1]).filter((s): s is string => s !== undefined).map(Number);
  return sizes.length ? Math.min(...sizes) : null;
}

function counts(runner: AttemptRunner): ScanResult['attempts'] {
  return {
    connections: runner.connections, unavailable: runner.unavailable, retries: runner.retries, maxParallel: runner.maxParallel,
    rateLimited: runner.rateLimited, backoffMs: Math.round(runner.backoffMs), adaptive: runner.adaptive,
  };
}

/** The server's last refusal, as `rate-limited` when it was one (src/smtp/rate-limit.ts). */
function failureInfo(runner: AttemptRunner, info: ProbeErrorInfo): ProbeErrorInfo {
  if (info.code !== 'rate-limited' && runner.rateLimitReason && runner.tripped?.code === 'rate-limited') return asRateLimited(info, runner.rateLimitReason);
  return info;
}

function handshakeFailureInfo(pre: Extract<AttemptResult<unknown>, { kind: 'rejected' | 'failed' }>): ProbeErrorInfo {
  const info = pre.error?.toInfo() ?? { phase: 'handshake', code: 'tls-handshake', message: `TLS handshake failed: ${pre.reason}` };
  return { ...info, message: `${info.message} (no TLS version completes a handshake)` };
}

function abortedInfo(runner: AttemptRunner, deadlineMs: number | undefined): ProbeErrorInfo {
  const deadline = runner.abortReason?.includes('deadline') ?? false;
  return { phase: 'connect', code: deadline ? 'timeout' : 'aborted', message: deadline ? `scan deadline of ${deadlineMs} ms reached` : 'scan aborted' };
}
