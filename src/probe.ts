import { parseDestination } from './destination.js';
import { createResolver, resolveDestination, type DnsResolver, type ResolvedHost, type Resolution } from './resolve.js';
import { emptyResult, probeConnection } from './probe-target.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { judge } from './verdict.js';
import type { Destination, ProbeOptions, ProbeResult } from './types.js';

/** Shared by every probe of a run: one DNS resolver (and its cache). */
export interface RunContext {
  resolver: DnsResolver;
  /** Waits for a connection slot to an address (per-host cap); returns the release. */
  gate?: (address: string) => Promise<() => void>;
}

export function createRunContext(options: ProbeOptions = {}): RunContext {
  return { resolver: createResolver({ servers: options.resolver }) };
}

/**
 * Probe every host a destination names (each MX host, or the one host), one
 * ProbeResult each. Failures are data: DNS and server faults come back as
 * results with `error` set; only bad input (a UsageError) rejects.
 */
export async function probeAll(destination: string | Destination, options: ProbeOptions = {}, context?: RunContext): Promise<ProbeResult[]> {
  const o = resolveOptions(options);
  const dest = typeof destination === 'string' ? parseDestination(destination, { starttls: o.starttls, implicit: o.implicit }) : destination;
  const ctx = context ?? createRunContext(options);
  const resolution = await resolveDestination(dest, { resolver: ctx.resolver, family: o.family, mxMode: options.mxMode, signal: o.signal });
  if (resolution.error) return [failedResult(dest, resolution, null, o)];
  const results: ProbeResult[] = [];
  for (const host of resolution.hosts) {
    results.push(...(await probeHost(dest, resolution, host, o, options.allAddresses ?? false, ctx)));
  }
  return results;
}

/**
 * One ProbeResult: the first host in MX preference order (as `--mx first`),
 * at its first reachable address. Use probeAll for every MX host.
 */
export async function probe(destination: string | Destination, options: ProbeOptions = {}): Promise<ProbeResult> {
  const results = await probeAll(destination, { ...options, mxMode: 'first', allAddresses: false });
  return results[0];
}

/** Each address in turn until one answers (default), or every address (--all-addresses). */
async function probeHost(dest: Destination, resolution: Resolution, host: ResolvedHost, o: ResolvedOptions, allAddresses: boolean, ctx: RunContext): Promise<ProbeResult[]> {
  if (host.error || host.addresses.length === 0) return [failedResult(dest, resolution, host, o)];
  const base = { destination: dest.input, nexthop: resolution.nexthop, mx: host.mx, host: host.host, port: dest.port, mode: dest.mode, resolveMs: resolution.timingMs };
  const results: ProbeResult[] = [];
  for (const { address } of host.addresses) {
    const release = ctx.gate ? await ctx.gate(address) : null;
    const result = await probeConnection({ ...base, address }, o).finally(() => release?.());
    result.findings.unshift(...resolution.findings.filter((f) => !result.findings.includes(f)));
    results.push(result);
    const unreachable = result.error?.phase === 'connect';
    if (!allAddresses && !unreachable) return [result];
    if (o.signal?.aborted) break;
  }
  // No address answered: report the first failure, with the others as findings.
  if (!allAddresses) {
    const [first, ...rest] = results;
    for (const r of rest) first.findings.push({ severity: 'info', code: 'address-failed', message: `${r.address}: ${r.error?.message ?? 'failed'}` });
    return [first];
  }
  return results;
}

function failedResult(dest: Destination, resolution: Resolution, host: ResolvedHost | null, o: ResolvedOptions): ProbeResult {
  const result = emptyResult({
    destination: dest.input, nexthop: resolution.nexthop, mx: host?.mx ?? null, host: host?.host ?? dest.host,
    address: null, port: dest.port, mode: dest.mode, resolveMs: resolution.timingMs,
  }, o);
  result.error = host?.error ?? resolution.error ?? { phase: 'resolve', code: 'dns-no-address', message: `no address for ${host?.host ?? dest.host}` };
  result.findings = resolution.findings.filter((f) => f.code !== result.error?.code);
  result.timingMs.total = resolution.timingMs;
  const { status, findings } = judge(result, o);
  result.status = status;
  result.findings = findings;
  return result;
}
