// `scan DEST`: the server's whole TLS capability, every attempt one connection through one
// AttemptRunner (per-host cap, retry once, breaker), the pieces in parallel, then graded.
import { isIP } from '../ip.js';
import { parseDestination } from '../destination.js';
import { ProbeError } from '../errors.js';
import { createResolver, resolveDestination } from '../resolve.js';
import { DEFAULT_TIMEOUTS } from '../smtp/limits.js';
import { defaultEhloName } from '../smtp/ehlo-name.js';
import type { Destination, ProbeErrorInfo, ScanOptions, ScanProtocol, ScanProtocolName, ScanResult } from '../types.js';
import { SCHEMA_VERSION } from '../types.js';
import { AttemptRunner } from './runner.js';
import { scanProtocolCiphers } from './ciphers.js';
import { protocolRank } from './cipher-info.js';
import { scanSslv2, scanSslv3, scanHelloExtensions } from './legacy.js';
import { scanDheBits, scanGroups } from './groups.js';
import { scanCertificates } from './certificates.js';
import { preflight, sessionIdResumption, ticketResumption } from './features.js';
import { testStarttlsInjection } from './injection.js';
import { gradeScan, type ScanFacts } from './profiles/index.js';
import type { ScanTarget } from './target.js';

export const DEFAULT_PER_HOST = 4;

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
    mode: dest.mode === 'implicit' ? 'implicit' : 'starttls', profile: o.profile ?? 'ncsc', status: 'unknown', findings: [], error: null,
    incomplete: false, negotiated: null, protocols: [], groups: [], dheBits: null, certificates: [],
    features: { sessionIdResumption: null, ticketResumption: null, secureRenegotiation: null, compression: null, ocspStapling: null, starttlsInjection: null },
    attempts: { connections: 0, unavailable: 0, retries: 0, maxParallel: 0 }, timingMs: { total: 0 },
  };
}

function finish(r: ScanResult, started: number): ScanResult {
  r.timingMs.total = Math.round(performance.now() - started);
  const { status, findings } = gradeScan(r.profile, r as ScanFacts);
  r.status = status;
  r.findings = findings;
  return r;
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
  const onAbort = () => controller.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const deadline = o.deadlineMs ? setTimeout(onAbort, o.deadlineMs) : null;
  const signal = controller.signal;
  const perHost = o.perHost ?? DEFAULT_PER_HOST;
  const runner = new AttemptRunner(perHost, signal);
  try {
    const pre = await preflight(runner, t, signal);
    if (pre.kind === 'unavailable' || pre.kind === 'skipped') {
      result.error = pre.kind === 'unavailable' ? pre.error.toInfo() : abortedInfo(o.deadlineMs);
      return finish(Object.assign(result, { attempts: counts(runner) }), started);
    }
    const p = pre.kind === 'accepted' ? pre.value : null;
    result.negotiated = p?.negotiated ?? null;
    result.features.ocspStapling = p ? p.ocspStapling : null;
    const highest = (p?.negotiated.protocol ?? null) as ScanProtocolName | null;
    const [tlsProtocols, sslv2, sslv3, hello, groups, dheBits, certificates, ticket, sessionId, injection] = await Promise.all([
      // The default handshake offered every version: the server's pick is its highest, above it nothing is accepted.
      Promise.all((['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).map((v) => (highest && protocolRank(v) > protocolRank(highest)
        ? Promise.resolve<ScanProtocol>({ protocol: v, accepted: false, ciphers: [], serverOrder: null })
        : scanProtocolCiphers(runner, t, v, perHost, signal)))),
      scanSslv2(runner, t, signal),
      scanSslv3(runner, t, signal),
      scanHelloExtensions(runner, t, signal),
      scanGroups(runner, t, highest, signal),
      scanDheBits(runner, t, signal),
      scanCertificates(runner, t, signal),
      p ? ticketResumption(runner, t, p, signal) : Promise.resolve(null),
      sessionIdResumption(runner, t, signal),
      testStarttlsInjection(runner, t, signal),
    ]);
    const protocols: ScanProtocol[] = [sslv2, sslv3, ...tlsProtocols];
    result.protocols = protocols;
    result.groups = groups;
    result.dheBits = dheBits;
    result.certificates = certificates;
    result.features = {
      ...result.features,
      sessionIdResumption: sessionId,
      ticketResumption: ticket,
      secureRenegotiation: hello.secureRenegotiation,
      compression: hello.compression,
      starttlsInjection: injection.result,
      ...(injection.note && { starttlsInjectionNote: injection.note }),
    };
    if (runner.tripped || signal.aborted) {
      result.incomplete = true;
      result.error = runner.tripped ? tripInfo(runner.tripped) : abortedInfo(o.deadlineMs);
    }
    result.attempts = counts(runner);
    return finish(result, started);
  } finally {
    if (deadline) clearTimeout(deadline);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

function counts(runner: AttemptRunner): ScanResult['attempts'] {
  return { connections: runner.connections, unavailable: runner.unavailable, retries: runner.retries, maxParallel: runner.maxParallel };
}

function tripInfo(e: ProbeError): ProbeErrorInfo {
  const info = e.toInfo();
  return { ...info, message: `stopped after repeated failures to get an answer (${info.message})` };
}

function abortedInfo(deadlineMs: number | undefined): ProbeErrorInfo {
  return { phase: 'connect', code: deadlineMs ? 'timeout' : 'aborted', message: deadlineMs ? `scan deadline of ${deadlineMs} ms reached` : 'scan aborted' };
}
