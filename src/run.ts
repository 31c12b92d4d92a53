// The one run engine (DESIGN.md "Many targets"), for every command that probes more than one
// thing: the probe's destination list, `policy`'s entries, a library caller's jobs. Each job is
// resolved (DNS cached per run), its connections deduplicated, behind a per-address gate and the
// global concurrency limit, retried on the rate-limit answers. Results stream out through
// callbacks; nothing is held once every job that named a connection has its result. A stopped
// run reports every job it did not probe (`onNotProbed`), so nothing is silently left out.
import pLimit from 'p-limit';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRunContext, failedResult, probeHost, type RunContext } from './probe.js';
import { resolveDestination } from './resolve.js';
import { emptyResult, probeConnection, type ConnectionTarget } from './probe-target.js';
import { referenceNames } from './reference-names.js';
import { policyKey } from './policy-dns/index.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
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
  /** Extra attempts after 421 / 454 / connection refused (--retries, default 1). */
  retries?: number;
  /** Back-off unit: attempt n waits n × (1..3) × this (default 1000 ms; tests scale it down). */
  retryDelayMs?: number;
  /**
   * Jobs in progress at once (resolving or probing); bounds memory whatever the list length, and
   * is the window in which duplicate connections are shared. Default max(256, 4 × concurrency):
   * enough queued work that a busy address (--per-host) never leaves -c slots idle.
   */
  window?: number;
  /** Each result as soon as its host is done (streaming output). */
  onResult?: (result: ProbeResult, job: ProbeJob<T>) => void;
  /**
   * A job's results, all together (baseline comparison, policy verdicts, progress). `complete` is
   * false when the run stopped before every host of the destination was probed.
   */
  onDestination?: (job: ProbeJob<T>, results: ProbeResult[], complete: boolean) => void;
  /** A job the run did not probe at all because it was stopped (see `notProbedResult`). */
  onNotProbed?: (job: ProbeJob<T>) => void;
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
  /** Jobs not probed because the run was stopped. */
  notProbed: number;
  /** The run was stopped (signal) before every job was done. */
  stopped: boolean;
  /** Connections open right now (for "waiting for N running probes"). */
  running: number;
}

export function newRunStats(): RunStats {
  return { destinations: 0, completed: 0, results: 0, connections: 0, shared: 0, retried: 0, notProbed: 0, stopped: false, running: 0 };
}

/** A counting semaphore per address. */
export function perAddressGate(limit: number): (address: string) => Promise<() => void> {
  const active = new Map<string, number>();
  const waiting = new Map<string, Array<() => void>>();
  const release = (address: string) => {
    const queue = waiting.get(address);
    const next = queue?.shift();
    if (queue?.length === 0) waiting.delete(address);
    if (next) return next();
    const n = (active.get(address) ?? 1) - 1;
    if (n === 0) active.delete(address);
    else active.set(address, n);
  };
  return (address) =>
    new Promise((resolve) => {
      let released = false;
      const grant = () => resolve(() => {
        if (!released) release(address);
        released = true;
      });
      const n = active.get(address) ?? 0;
      if (n < limit) {
        active.set(address, n + 1);
        grant();
      } else {
        const queue = waiting.get(address) ?? [];
        queue.push(grant);
        waiting.set(address, queue);
      }
    });
}

/**
 * Destinations with the same input, port and mode once each (a list that names a domain twice
 * gets one set of results), in their first order.
 */
export function uniqueDestinations(list: Iterable<Destination>): { destinations: Destination[]; duplicates: number } {
  const seen = new Set<string>();
  const destinations: Destination[] = [];
  let duplicates = 0;
  for (const d of list) {
    const key = `${d.mode} ${d.port} ${d.input.toLowerCase()}`;
    if (seen.has(key)) duplicates++;
    else {
      seen.add(key);
      destinations.push(d);
    }
  }
  return { destinations, duplicates };
}

/**
 * Why a result is worth another attempt, or null. RFC 5321 §3.8 / §4.2.5: 421 means the server
 * is closing the channel for now; RFC 3207 §4: 454 is a temporary TLS failure; a refused
 * connection is often a rate limit (postscreen, a firewall's connlimit) that lifts.
 */
export function retryReason(r: ProbeResult): string | null {
  if (r.error?.code === 'aborted') return null;
  if (r.error?.code === 'rate-limited') return r.error.message;
  if (r.error?.code === 'refused') return 'connection refused';
  if (r.error?.reply?.code === 421) return `421 in ${r.error.phase}`;
  if (r.smtp.starttls.reply?.code === 454) return '454 to STARTTLS';
  return null;
}

/** attempt × (1..3) × unit ms: spreads the retries of many probes to one server apart. */
export function backoffMs(attempt: number, unitMs: number, random: () => number = Math.random): number {
  return Math.round(attempt * unitMs * (1 + 2 * random()));
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
 * never rejects for a server's fault. Bad options reject before the first packet (UsageError).
 */
export async function runProbes<T = unknown>(jobs: Iterable<Destination | ProbeJob<T>>, options: ProbeOptions, run: RunOptions<T>): Promise<RunStats> {
  const o = resolveOptions(options);
  // One listener per running probe (probeLinked), each removed when its probe ends.
  if (o.signal) setMaxListeners(0, o.signal);
  const ctx = createRunContext(options, { policyDns: run.policyDns });
  const stats = run.stats ?? newRunStats();
  const stopped = () => run.signal?.aborted === true || o.signal?.aborted === true;
  const connect = sharedConnections(run, stats, stopped, [o.signal, run.signal]);
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

  const one = async (job: ProbeJob<T>): Promise<void> => {
    stats.destinations++;
    const jo = optionsOf(job);
    const { results, complete } = await probeDestination(job, jo, { ...(job.options ?? options), signal: options.signal }, { ...ctx, connect: connect.probe }, connect, dns, stopped, run.onResult);
    stats.results += results.length;
    if (complete) stats.completed++;
    if (results.length > 0) run.onDestination?.(job, results, complete);
    else if (!complete) notProbed(job);
  };

  // A fixed pool of workers pulling from the list: memory does not grow with its length.
  const iterator = jobs[Symbol.iterator]();
  let drained = false;
  const worker = async () => {
    for (;;) {
      if (stopped()) return;
      const next = iterator.next();
      if (next.done) {
        drained = true;
        return;
      }
      await one(asJob(next.value));
    }
  };
  const workers = run.window ?? Math.max(256, run.concurrency * 4);
  await Promise.all(Array.from({ length: workers }, worker));
  if (!drained) {
    // Stopped: name every job that was never started.
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      stats.destinations++;
      notProbed(asJob(next.value));
    }
  }
  stats.stopped = stopped() && (stats.completed < stats.destinations || stats.notProbed > 0);
  return stats;
}

async function probeDestination<T>(
  job: ProbeJob<T>, o: ResolvedOptions, options: ProbeOptions, ctx: RunContext,
  shared: SharedConnections, dns: <R>(fn: () => Promise<R>) => Promise<R>, stopped: () => boolean,
  onResult: ((r: ProbeResult, job: ProbeJob<T>) => void) | undefined,
): Promise<{ results: ProbeResult[]; complete: boolean }> {
  const dest = job.destination;
  const emit = (rs: ProbeResult[]) => {
    for (const r of rs) onResult?.(r, job);
    return rs;
  };
  let resolution;
  try {
    resolution = await dns(() => resolveDestination(dest, { resolver: ctx.resolver, family: o.family, mxMode: options.mxMode, signal: o.signal }));
  } catch (err) {
    return { results: emit([internalError(dest, o, err)]), complete: true };
  }
  if (stopped()) return { results: [], complete: false };
  if (resolution.error) return { results: emit([failedResult(dest, resolution, null, o)]), complete: true };

  const targets = resolution.hosts.flatMap((h) => h.addresses.map(({ address }) => ({
    destination: dest.input, nexthop: resolution.nexthop, mx: h.mx, host: h.host, address, port: dest.port, mode: dest.mode, resolveMs: resolution.timingMs,
  })));
  const keys = targets.map((t) => shared.hold(t, o));
  try {
    const perHost = await Promise.all(resolution.hosts.map((host) =>
      probeHost(dest, resolution, host, o, options.allAddresses ?? false, ctx)
        .catch((err: unknown) => [internalError(dest, o, err, host.host)])
        .then((rs) => ({ rs: emit(rs), done: rs.length > 0 }))));
    return { results: perHost.flatMap((p) => p.rs), complete: perHost.every((p) => p.done) };
  } finally {
    for (const k of keys) shared.release(k);
  }
}

interface SharedConnections {
  /** Registers a destination's interest in a connection; returns its key. */
  hold(target: ConnectionTarget, o: ResolvedOptions): string;
  release(key: string): void;
  probe(target: ConnectionTarget, o: ResolvedOptions): Promise<ProbeResult | null>;
}

/**
 * One probe per (mode, address, port, host, names checked, options): destinations naming the
 * same connection share its result, each getting a copy with its own destination, nexthop and mx.
 * The host is part of the key because it is the SNI (a server may choose its certificate by
 * it); the checked names and the options are, because they decide the verdict. A result is kept
 * while some destination in progress holds its key, and dropped after.
 */
function sharedConnections(run: Pick<RunOptions, 'perHost' | 'concurrency' | 'retries' | 'retryDelayMs'>, stats: RunStats, stopped: () => boolean, signalsIn: (AbortSignal | undefined)[]): SharedConnections {
  const gate = perAddressGate(run.perHost);
  const limit = pLimit(run.concurrency);
  const retries = run.retries ?? 1;
  const unit = run.retryDelayMs ?? 1000;
  // Held per connection; within it one result per set of DNS policies, since destinations hold
  // their targets before the policies of their hosts are looked up.
  const entries = new Map<string, { holders: number; results: Map<string, Promise<ProbeResult | null>> }>();
  const signals = signalsIn.filter((s): s is AbortSignal => s !== undefined);
  // Jobs with options of their own never share with the run's: each options object has an id.
  const variants = new WeakMap<ResolvedOptions, number>();
  let nextVariant = 0;
  const variant = (o: ResolvedOptions) => {
    let id = variants.get(o);
    if (id === undefined) variants.set(o, (id = nextVariant++));
    return id;
  };
  // Greeted connections per address and port (rate-limit evidence: a refusal where we were greeted
  // before), bounded: the oldest go first.
  const greeted = new Map<string, number>();
  const noteGreeting = (r: ProbeResult) => {
    if (!r.address || r.smtp.banner === null) return;
    const at = `${r.address} ${r.port}`;
    greeted.set(at, (greeted.get(at) ?? 0) + 1);
    if (greeted.size > 65_536) greeted.delete(greeted.keys().next().value!);
  };
  const keyOf = (t: ConnectionTarget, o: ResolvedOptions) => `${t.mode} ${t.address} ${t.port} ${t.host.toLowerCase()} ${referenceNames(o, t).join(',')} ${variant(o)}`;

  /** Attempts until a result that is not worth retrying; gate and slot are released while backing off. */
  const attempt = async (target: ConnectionTarget, o: ResolvedOptions): Promise<ProbeResult | null> => {
    const reasons: string[] = [];
    let last: ProbeResult | null = null;
    for (let n = 1; ; n++) {
      const release = await gate(target.address);
      let result: ProbeResult | null;
      try {
        result = await limit(async () => {
          if (stopped()) return null;
          stats.connections++;
          stats.running++;
          return probeLinked({ ...target, earlierGreetings: greeted.get(`${target.address} ${target.port}`) ?? 0 }, o).finally(() => stats.running--);
        });
      } finally {
        release();
      }
      if (!result) return last;
      noteGreeting(result);
      result.attempts = n;
      last = result;
      const why = retryReason(result);
      if (!why || n > retries || stopped()) break;
      reasons.push(`attempt ${n}: ${why}`);
      try {
        await sleep(backoffMs(n, unit), undefined, { signal: AbortSignal.any(signals) });
      } catch {
        break; // aborted while backing off: the last result stands
      }
      if (stopped()) break;
    }
    if (reasons.length && last) {
      stats.retried++;
      last.findings.push({ severity: 'info', code: 'retried', message: `${reasons.join('; ')}; attempt ${last.attempts} ${last.error ? `failed: ${last.error.message}` : 'answered'}` });
    }
    return last;
  };

  return {
    hold(target, o) {
      const key = keyOf(target, o);
      const e = entries.get(key);
      if (e) e.holders++;
      else entries.set(key, { holders: 1, results: new Map() });
      return key;
    },
    release(key) {
      const e = entries.get(key);
      if (e && --e.holders === 0) entries.delete(key);
    },
    async probe(target, o) {
      const key = keyOf(target, o);
      let e = entries.get(key);
      if (!e) entries.set(key, (e = { holders: 0, results: new Map() })); // a caller that did not hold (library use)
      const policies = policyKey(target.policies);
      let pending = e.results.get(policies);
      if (pending) stats.shared++;
      else e.results.set(policies, (pending = attempt(target, o)));
      const result = await pending;
      // Nobody holds it (library use): nothing later can share it, so keep nothing.
      if (e.holders === 0 && entries.get(key) === e) entries.delete(key);
      return result && copyFor(result, target);
    },
  };
}

/**
 * probeConnection with its own signal, linked to the run's: a probe hangs its listeners on the
 * signal it gets and never takes them off, so thousands of probes sharing the run's signal
 * would keep every finished session reachable (and trip MaxListenersExceededWarning).
 */
function probeLinked(target: ConnectionTarget, o: ResolvedOptions): Promise<ProbeResult> {
  const run = o.signal;
  if (!run) return probeConnection(target, o);
  const own = new AbortController();
  const forward = () => own.abort(run.reason);
  if (run.aborted) forward();
  else run.addEventListener('abort', forward, { once: true });
  return probeConnection(target, { ...o, signal: own.signal }).finally(() => run.removeEventListener('abort', forward));
}

/** The shared result as this destination sees it: its own names, its own arrays to add to. */
function copyFor(r: ProbeResult, t: ConnectionTarget): ProbeResult {
  return {
    ...r,
    destination: t.destination,
    nexthop: t.nexthop,
    mx: t.mx,
    host: t.host,
    findings: [...r.findings],
    timingMs: { ...r.timingMs, resolve: t.resolveMs },
  };
}

/** A bug must not end a run of thousands: that destination becomes an UNKNOWN result. */
function internalError(dest: Destination, o: ResolvedOptions, err: unknown, host = dest.host): ProbeResult {
  const r = emptyResult({ destination: dest.input, nexthop: dest.host, mx: null, host, address: null, port: dest.port, mode: dest.mode, resolveMs: null }, o);
  r.status = 'unknown';
  r.findings.push({ severity: 'critical', code: 'internal-error', message: `internal error: ${(err as Error)?.message ?? String(err)}` });
  return r;
}

