import { parseDestination } from './destination.js';
import { createResolver, resolveDestination, type DnsResolver, type ResolvedHost, type Resolution } from './resolve.js';
import { emptyResult, probeConnection, type ConnectionTarget } from './probe-target.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { judge } from './verdict.js';
import type { Destination, ProbeOptions, ProbeResult } from './types.js';
import { createPolicyContext, lookupHostPolicies, wantsPolicyDns, type PolicyContext } from './policy-dns/index.js';

/** Shared by every probe of a run: one DNS resolver (and its cache). */
export interface RunContext {
  resolver: DnsResolver;
  /** Waits for a connection slot to an address (per-host cap); returns the release. */
  gate?: (address: string) => Promise<() => void>;
  /**
   * Makes one connection instead of probeConnection behind `gate` (run.ts: deduplicated,
   * retried, scheduled). Resolves to null when the run stopped before it started.
   */
  connect?: (target: ConnectionTarget, o: ResolvedOptions) => Promise<ProbeResult | null>;
  /** DANE / MTA-STS / TLSRPT lookups and their caches. */
  policy?: PolicyContext;
}

export function createRunContext(options: ProbeOptions = {}, run: { policyDns?: boolean } = {}): RunContext {
  // DANE needs the AD bit of the MX and address answers, which Node's resolver does not
  // expose, so with DNS-published policies every lookup goes through dns-packet.
  const policy = run.policyDns || wantsPolicyDns(options) ? createPolicyContext(options) : undefined;
  return { resolver: policy?.resolver ?? createResolver({ servers: options.resolver }), ...(policy && { policy }) };
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

/**
 * One host of a resolved destination: each address in turn until one answers (default), or
 * every address (--all-addresses). Empty only when `ctx.connect` declined to start (run stopped).
 */
export async function probeHost(dest: Destination, resolution: Resolution, host: ResolvedHost, o: ResolvedOptions, allAddresses: boolean, ctx: RunContext): Promise<ProbeResult[]> {
  if (host.error || host.addresses.length === 0) return [failedResult(dest, resolution, host, o)];
  // TLSA (and the domain's MTA-STS / TLSRPT) for this host, before connecting.
  const policies = ctx.policy && wantsPolicyDns(o)
    ? await lookupHostPolicies(ctx.policy, { mxDomain: dest.mxLookup ? dest.host : null, nexthop: resolution.nexthop, host: host.host, port: dest.port }, o)
    : undefined;
  const base = { destination: dest.input, nexthop: resolution.nexthop, mx: host.mx, host: host.host, port: dest.port, mode: dest.mode, resolveMs: resolution.timingMs, policies };
  const results: ProbeResult[] = [];
  for (const { address } of host.addresses) {
    const result = ctx.connect ? await ctx.connect({ ...base, address }, o) : await gated(ctx, { ...base, address }, o);
    if (!result) break;
    result.findings.unshift(...resolution.findings.filter((f) => !result.findings.includes(f)));
    results.push(result);
    const unreachable = result.error?.phase === 'connect';
    if (!allAddresses && !unreachable) return [result];
    if (o.signal?.aborted) break;
  }
  // No address answered: report the first failure, with the others as findings.
  if (!allAddresses && results.length > 0) {
    const [first, ...rest] = results;
    for (const r of rest) first.findings.push({ severity: 'info', code: 'address-failed', message: `${r.address}: ${r.error?.message ?? 'failed'}` });
    return [first];
  }
  return results;
}

async function gated(ctx: RunContext, target: ConnectionTarget, o: ResolvedOptions): Promise<ProbeResult> {
  const release = ctx.gate ? await ctx.gate(target.address) : null;
  return probeConnection(target, o).finally(() => release?.());
}

/** The one result of a destination or host that DNS could not turn into an address. */
export function failedResult(dest: Destination, resolution: Resolution, host: ResolvedHost | null, o: ResolvedOptions): ProbeResult {
  const result = emptyResult({
    destination: dest.input, nexthop: resolution.nexthop, mx: host?.mx ?? null, host: host?.host ?? dest.host,
    address: null, port: dest.port, mode: dest.mode, resolveMs: resolution.timingMs,
  }, o);
  result.error = host?.error ?? resolution.error ?? { phase: 'resolve', code: 'dns-no-address', message: `no address for ${host?.host ?? dest.host}` };
  result.findings = resolution.findings.filter((f) => f.code !== result.error?.code);
  result.timingMs.total = resolution.timingMs;
  const { status, findings, postfix } = judge(result, o);
  result.status = status;
  result.findings = findings;
  result.postfix = postfix;
  return result;
}
