// The one run engine (DESIGN.md "Many targets"), for every command that probes more than one
// thing: the probe's destination list, `policy`'s entries, a library caller's jobs. Jobs come
// from any iterable, synchronous or not (a list streamed from a file of any length); each job is
// resolved (DNS cached per run), optionally kept or left to another shard, its connections
// deduplicated, behind the per-address gates (at once, per second) and the global concurrency
// limit, retried on the rate-limit answers. Results stream out through callbacks; nothing is
// held once every job that named a connection has its result. A stopped run reports every job
// it did not probe (`onNotProbed`), so nothing is silently left out.
import pLimit from 'p-limit';
import { setMaxListeners } from 'node:events';
import { createRunContext, failedResult, probeHost } from './probe.js';
import { resolveDestination, type ResolvedHost } from './resolve.js';
import { emptyResult } from './probe-target.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { optionDefault } from './cli-options.js';
import { UsageError } from './errors.js';
import { destinationKey } from './input/destination-stream.js';
import { sharedConnections, type SharedConnections } from './run/connections.js';
import { addressKey, shardFilter, type ShardSpec } from './run/shard.js';
import { sourcePool } from './run/source-pool.js';
import type { Destination, ProbeOptions, ProbeResult } from './types.js';

/** One thing to probe: a destination, with options of its own when they differ from the run's. */
export interface ProbeJob<T = unknown> {
  destination: Destination;
  /** Replaces the run's options for this job (a tls_policy entry's level, match=, protocols=, …). */
  options?: ProbeOptions;
  /** The caller's own data, handed back with the job. */
  tag?: T;
}

export interface RunOptions<T = unknown> {
  /** Connections at once, overall (-c). */
  concurrency: number;
  /** Connections at once to one address (--per-host), so a shared MX is never hammered. */
  perHost: number;
  /**
   * New connections per second to one address (--per-host-rate; default 2, Infinity for none).
   * The first connection to an address never waits; a 421 or a classified rate limit slows
   * that address down further (src/run/rate-gate.ts).
   */
  perHostRate?: number;
  /** Extra attempts after 421 / 454 / connection refused (--retries, default 1). */
  retries?: number;
  /** Back-off unit: attempt n waits n × (1..3) × this (default 1000 ms; tests scale it down). */
  retryDelayMs?: number;
  /**
   * Jobs in progress at once that are not waiting for their address (resolving, queued for a
   * connection slot, probing); bounds memory whatever the list length, and is the window in
   * which duplicate connections are shared. Default max(256, 4 × concurrency): enough queued
   * work that a busy address never leaves -c slots idle.
   */
  window?: number;
  /**
   * Jobs held at most, those waiting for a busy or slowed address (--per-host, --per-host-rate,
   * back-off) included: the memory bound when much of a list waits for a few addresses.
   * Default 8 × window.
   */
  maxPending?: number;
  /** Local addresses to connect from, used in turn per family (--source-address). */
  sourceAddresses?: readonly string[];
  /** Keep only this shard's part of the run (--shard K/N, --shard-seed, --shard-by). */
  shard?: ShardSpec;
  /** Each result as soon as its host is done (streaming output). */
  onResult?: (result: ProbeResult, job: ProbeJob<T>) => void;
  /**
   * A job's results, all together (baseline comparison, policy verdicts, progress). `complete` is
   * false when the run stopped before every host of the destination was probed.
   */
  onDestination?: (job: ProbeJob<T>, results: ProbeResult[], complete: boolean) => void;
  /** A job the run did not probe at all because it was stopped (see `notProbedResult`). */
  onNotProbed?: (job: ProbeJob<T>) => void;
  /** A job every connection of which belongs to another shard: nothing to do here. */
  onOtherShard?: (job: ProbeJob<T>) => void;
  /** Look up DNS-published policies even when the run's own options ask for none (a job's may). */
  policyDns?: boolean;
  /** Stop: start no new connection; running ones end on their own (abort them with ProbeOptions.signal). */
  signal?: AbortSignal;
  /** Filled as the run goes (newRunStats()), for a caller that reports while it runs. */
  stats?: RunStats;
}

export interface RunStats {
  destinations: number;
  /** Destinations every host of which was probed. */
  completed: number;
  results: number;
  /** Connection attempts made (retries included). */
  connections: number;
  /** Results that reused a connection another destination also named. */
  shared: number;
  /** Results that needed more than one attempt. */
  retried: number;
  /** Attempts the server turned away for its limit (`rate-limited`, retried ones included). */
  rateLimited: number;
  /** Addresses the run slowed down after a 421 or a rate limit. */
  slowedAddresses: number;
  /** Destinations left to other shards (--shard): nothing of theirs is this shard's. */
  otherShard: number;
  /** Jobs not probed because the run was stopped. */
  notProbed: number;
  /** The run was stopped (signal) before every job was done. */
  stopped: boolean;
  /** Connections open right now (for "waiting for N running probes"). */
  running: number;
}

export function newRunStats(): RunStats {
  return { destinations: 0, completed: 0, results: 0, connections: 0, shared: 0, retried: 0, rateLimited: 0, slowedAddresses: 0, otherShard: 0, notProbed: 0, stopped: false, running: 0 };
}

export { perAddressGate, retryReason, backoffMs } from './run/schedule.js';

/**
 * Destinations with the same input, port and mode once each (a list that names a domain twice
 * gets one set of results), in their first order. For a list held in memory; a streamed list is
 * deduplicated as it is read (src/input/destination-stream.ts).
 */
export function uniqueDestinations(list: Iterable<Destination>): { destinations: Destination[]; duplicates: number } {
  const seen = new Set<string>();
  const destinations: Destination[] = [];
  let duplicates = 0;
  for (const d of list) {
    const key = destinationKey(d);
    if (seen.has(key)) duplicates++;
    else {
      seen.add(key);
      destinations.push(d);
    }
  }
  return { destinations, duplicates };
}

/** The record of a job a stopped run never probed: status UNKNOWN, error `not-probed`. */
export function notProbedResult(dest: Destination, options: ProbeOptions = {}): ProbeResult {
  const o = resolveOptions(options);
  const r = emptyResult({ destination: dest.input, nexthop: dest.host, mx: null, host: dest.host, address: null, port: dest.port, mode: dest.mode, resolveMs: null }, o);
  r.error = { phase: 'resolve', code: 'not-probed', message: 'not probed: the run was interrupted before this destination' };
  r.findings = [{ severity: 'critical', code: 'not-probed', message: r.error.message }];
  r.status = 'unknown';
  return r;
}

const asJob = <T>(item: Destination | ProbeJob<T>): ProbeJob<T> => ('destination' in item ? item : { destination: item });

/**
 * Probe many destinations (or jobs with options of their own). Failures are data: every job
 * ends as results (DNS errors included) or, when the run is stopped, as `onNotProbed`; the run
 * never rejects for a server's fault. Bad options reject before the first packet (UsageError);
 * an input that fails while it is read rejects once the jobs in progress are done.
 */
export async function runProbes<T = unknown>(jobs: Iterable<Destination | ProbeJob<T>> | AsyncIterable<Destination | ProbeJob<T>>, options: ProbeOptions, run: RunOptions<T>): Promise<RunStats> {
  const o = resolveOptions(options);
  const perHostRate = run.perHostRate ?? optionDefault<number>('per-host-rate');
  if (!(perHostRate > 0)) throw new UsageError(`per-host rate must be greater than 0, got ${perHostRate}`);
  const sources = run.sourceAddresses?.length ? sourcePool(run.sourceAddresses) : undefined;
  if (sources?.family && o.family && sources.family !== o.family) throw new UsageError(`-${o.family} and --source-address of IPv${sources.family} only exclude each other`);
  // A pool of one family: the run connects to that family only (it has nothing to send from otherwise).
  const family = o.family ?? sources?.family;
  const shard = run.shard && run.shard.count > 1 ? { ...run.shard, owns: shardFilter(run.shard) } : undefined;
  // One listener per running probe (probeLinked), each removed when its probe ends.
  if (o.signal) setMaxListeners(0, o.signal);
  const ctx = createRunContext(options, { policyDns: run.policyDns });
  const stats = run.stats ?? newRunStats();
  const stopped = () => run.signal?.aborted === true || o.signal?.aborted === true;

  // Admission: at most `window` jobs in progress that are not waiting for their address, and at
  // most `maxPending` in all. `wake` is called whenever that may have changed.
  const window = run.window ?? Math.max(256, run.concurrency * 4);
  const maxPending = Math.max(window, run.maxPending ?? window * 8);
  let inFlight = 0;
  let waiting = 0;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const onStop = () => notify();
  run.signal?.addEventListener('abort', onStop);
  o.signal?.addEventListener('abort', onStop);

  const connect = sharedConnections({ ...run, perHostRate }, stats, {
    stopped, signals: [o.signal, run.signal], sources,
    park: () => {
      waiting++;
      notify();
    },
    unpark: () => void waiting--,
  });
  // DNS queries at once: enough to stay ahead of the connections, few enough for a home resolver.
  const dns = pLimit(Math.max(64, run.concurrency * 2));
  // Resolved once per distinct options object: a policy table's entries each bring their own.
  const resolved = new WeakMap<ProbeOptions, ResolvedOptions>();
  const optionsOf = (job: ProbeJob<T>): ResolvedOptions => {
    if (!job.options) return o;
    let r = resolved.get(job.options);
    if (!r) resolved.set(job.options, (r = resolveOptions({ ...job.options, signal: options.signal })));
    return r;
  };
  const notProbed = (job: ProbeJob<T>) => {
    stats.notProbed++;
    run.onNotProbed?.(job);
  };
  const env: DestinationEnv<T> = {
    ctx: { ...ctx, connect: connect.probe }, shared: connect, dns, stopped, onResult: run.onResult, family,
    shard: shard && { by: shard.by ?? 'address', owns: shard.owns },
  };

  const one = async (job: ProbeJob<T>): Promise<void> => {
    stats.destinations++;
    const jo = optionsOf(job);
    const { results, complete, mine } = await probeDestination(job, jo, { ...(job.options ?? options), signal: options.signal }, env);
    stats.results += results.length;
    if (!mine) {
      stats.otherShard++;
      run.onOtherShard?.(job);
      return;
    }
    if (complete) stats.completed++;
    if (results.length > 0) run.onDestination?.(job, results, complete);
    else if (!complete) notProbed(job);
  };

  const source: Iterator<Destination | ProbeJob<T>> | AsyncIterator<Destination | ProbeJob<T>> =
    Symbol.asyncIterator in jobs ? jobs[Symbol.asyncIterator]() : (jobs as Iterable<Destination | ProbeJob<T>>)[Symbol.iterator]();
  let drained = false;
  let inputError: unknown = null;
  try {
    // One feeder pulls from the list as room frees up: memory does not grow with its length,
    // and a streamed list is read only as fast as it is probed.
    for (;;) {
      if (stopped()) break;
      if (inFlight - waiting >= window || inFlight >= maxPending) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      let next: IteratorResult<Destination | ProbeJob<T>>;
      try {
        next = await source.next();
      } catch (err) {
        inputError = err;
        break;
      }
      if (next.done) {
        drained = true;
        break;
      }
      inFlight++;
      void one(asJob(next.value)).finally(() => {
        inFlight--;
        notify();
      });
    }
    while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    if (!drained && inputError === null) {
      // Stopped: name every job that was never started.
      for (let next = await source.next(); !next.done; next = await source.next()) {
        stats.destinations++;
        notProbed(asJob(next.value));
      }
    }
  } finally {
    run.signal?.removeEventListener('abort', onStop);
    o.signal?.removeEventListener('abort', onStop);
    stats.slowedAddresses = connect.rate.slowed;
  }
  if (inputError !== null) throw inputError;
  stats.stopped = stopped() && (stats.completed + stats.otherShard < stats.destinations || stats.notProbed > 0);
  return stats;
}

interface DestinationEnv<T> {
  ctx: ReturnType<typeof createRunContext>;
  shared: SharedConnections;
  dns: <R>(fn: () => Promise<R>) => Promise<R>;
  stopped: () => boolean;
  onResult: ((r: ProbeResult, job: ProbeJob<T>) => void) | undefined;
  family: 4 | 6 | undefined;
  shard?: { by: 'address' | 'domain'; owns: (key: string) => boolean };
}

/**
 * One destination: resolve, keep this shard's part, probe each host. With --shard-by address,
 * a host is probed at every address this shard owns (as --all-addresses): "the first address
 * that answers" would depend on addresses other shards probe. Results that have no address (DNS
 * failures) belong to the shard of the name that failed, so each is reported exactly once.
 */
async function probeDestination<T>(
  job: ProbeJob<T>, o: ResolvedOptions, options: ProbeOptions, env: DestinationEnv<T>,
): Promise<{ results: ProbeResult[]; complete: boolean; mine: boolean }> {
  const dest = job.destination;
  const { shared, stopped, shard } = env;
  if (shard?.by === 'domain' && !shard.owns(dest.host)) return { results: [], complete: true, mine: false };
  const byAddress = shard?.by === 'address' ? shard.owns : null;
  const emit = (rs: ProbeResult[]) => {
    for (const r of rs) env.onResult?.(r, job);
    return rs;
  };
  let resolution;
  try {
    resolution = await env.dns(() => resolveDestination(dest, { resolver: env.ctx.resolver, family: o.family ?? env.family, mxMode: options.mxMode, signal: o.signal }));
  } catch (err) {
    if (byAddress && !byAddress(dest.host)) return { results: [], complete: true, mine: false };
    return { results: emit([internalError(dest, o, err)]), complete: true, mine: true };
  }
  if (stopped()) return { results: [], complete: false, mine: true };
  if (resolution.error) {
    if (byAddress && !byAddress(dest.host)) return { results: [], complete: true, mine: false };
    return { results: emit([failedResult(dest, resolution, null, o)]), complete: true, mine: true };
  }

  let hosts: ResolvedHost[] = resolution.hosts;
  if (byAddress) {
    hosts = hosts.flatMap((h) => {
      if (h.error || h.addresses.length === 0) return byAddress(h.host) ? [h] : [];
      const addresses = h.addresses.filter((a) => byAddress(addressKey(a.address)));
      return addresses.length ? [{ ...h, addresses }] : [];
    });
    if (hosts.length === 0) return { results: [], complete: true, mine: false };
  }
  const allAddresses = (options.allAddresses ?? false) || byAddress !== null;
  const targets = hosts.flatMap((h) => h.addresses.map(({ address }) => ({
    destination: dest.input, nexthop: resolution.nexthop, mx: h.mx, host: h.host, address, port: dest.port, mode: dest.mode, resolveMs: resolution.timingMs,
  })));
  const keys = targets.map((t) => shared.hold(t, o));
  try {
    const perHost = await Promise.all(hosts.map((host) =>
      probeHost(dest, resolution, host, o, allAddresses, env.ctx)
        .catch((err: unknown) => [internalError(dest, o, err, host.host)])
        .then((rs) => ({ rs: emit(rs), done: rs.length > 0 }))));
    return { results: perHost.flatMap((p) => p.rs), complete: perHost.every((p) => p.done), mine: true };
  } finally {
    for (const k of keys) shared.release(k);
  }
}

/** A bug must not end a run of thousands: that destination becomes an UNKNOWN result. */
function internalError(dest: Destination, o: ResolvedOptions, err: unknown, host = dest.host): ProbeResult {
  const r = emptyResult({ destination: dest.input, nexthop: dest.host, mx: null, host, address: null, port: dest.port, mode: dest.mode, resolveMs: null }, o);
  r.status = 'unknown';
  r.findings.push({ severity: 'critical', code: 'internal-error', message: `internal error: ${(err as Error)?.message ?? String(err)}` });
  return r;
}

