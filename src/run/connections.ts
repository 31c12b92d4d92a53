// The connections of a run (src/run.ts): each one made once however many destinations name it,
// behind the per-address gates (--per-host at once, --per-host-rate per second), the global
// concurrency limit, and retried on the answers that ask for it. Waiting for an address is
// reported to the engine (park/unpark), so jobs held up by a busy or slowed address never keep
// the rest of the list from running.
import pLimit from 'p-limit';
import { probeConnection, type ConnectionTarget } from '../probe-target.js';
import { referenceNames } from '../reference-names.js';
import { policyKey } from '../policy-dns/index.js';
import type { ResolvedOptions } from '../options.js';
import type { ProbeResult } from '../types.js';
import type { RunOptions, RunStats } from '../run.js';
import { backoffMs, perAddressGate, retryReason } from './schedule.js';
import { RateGate } from './rate-gate.js';
import { Sleeper } from './sleeper.js';
import type { SourcePool } from './source-pool.js';

export interface SharedConnections {
  /** Registers a destination's interest in a connection; returns its key. */
  hold(target: ConnectionTarget, o: ResolvedOptions): string;
  release(key: string): void;
  probe(target: ConnectionTarget, o: ResolvedOptions): Promise<ProbeResult | null>;
  readonly rate: RateGate;
}

export interface ConnectionHooks {
  stopped: () => boolean;
  /** Aborted when the run stops: waits for an address end, the connection is not made. */
  signals: (AbortSignal | undefined)[];
  /** A connection started waiting for its address (gate, pace, back-off) … */
  park: () => void;
  /** … and stopped waiting. */
  unpark: () => void;
  sources?: SourcePool;
}

/** What pLimit hands back when the address's turn was taken meanwhile: wait again. */
const AGAIN = Symbol('again');

/**
 * One probe per (mode, address, port, host, names checked, options): destinations naming the
 * same connection share its result, each getting a copy with its own destination, nexthop and mx.
 * The host is part of the key because it is the SNI (a server may choose its certificate by
 * it); the checked names and the options are, because they decide the verdict. A result is kept
 * while some destination in progress holds its key, and dropped after.
 */
export function sharedConnections(
  run: Pick<RunOptions, 'perHost' | 'concurrency' | 'retries' | 'retryDelayMs'> & { perHostRate: number },
  stats: RunStats, hooks: ConnectionHooks,
): SharedConnections {
  const gate = perAddressGate(run.perHost);
  const rate = new RateGate({ perSecond: run.perHostRate, signals: hooks.signals });
  const limit = pLimit(run.concurrency);
  const retries = run.retries ?? 1;
  const unit = run.retryDelayMs ?? 1000;
  const { stopped } = hooks;
  // Every options object of a run carries the run's abort signal (ProbeOptions.signal).
  const probeLinked = (target: ConnectionTarget, o: ResolvedOptions) => linked(o.signal)(target, o);
  const linkedBySignal = new WeakMap<AbortSignal, (target: ConnectionTarget, o: ResolvedOptions) => Promise<ProbeResult>>();
  const linked = (signal: AbortSignal | undefined) => {
    if (!signal) return probeConnection;
    let l = linkedBySignal.get(signal);
    if (!l) linkedBySignal.set(signal, (l = linkedProbes(signal)));
    return l;
  };
  const sleeper = new Sleeper(hooks.signals.filter((s): s is AbortSignal => s !== undefined));
  // Held per connection; within it one result per set of DNS policies, since destinations hold
  // their targets before the policies of their hosts are looked up.
  const entries = new Map<string, { holders: number; results: Map<string, Promise<ProbeResult | null>> }>();
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
  const noteAnswer = (r: ProbeResult, startedAt: number) => {
    if (!r.address) return;
    // RFC 5321 §3.8, §4.2.3: 421 is the server closing the channel for now; a classified limit
    // (src/smtp/rate-limit.ts) is one too: come back more slowly.
    if (r.error?.code === 'rate-limited' || r.error?.reply?.code === 421 || r.smtp.banner?.code === 421) {
      if (r.error?.code === 'rate-limited') stats.rateLimited++;
      rate.limited(r.address, startedAt);
      return;
    }
    if (r.smtp.banner === null) return;
    rate.answered(r.address);
    const at = `${r.address} ${r.port}`;
    greeted.set(at, (greeted.get(at) ?? 0) + 1);
    if (greeted.size > 65_536) greeted.delete(greeted.keys().next().value!);
  };
  const keyOf = (t: ConnectionTarget, o: ResolvedOptions) => `${t.mode} ${t.address} ${t.port} ${t.host.toLowerCase()} ${referenceNames(o, t).join(',')} ${variant(o)}`;

  /** Waits as a parked connection; false when the run stopped meanwhile. */
  const parked = async (wait: () => Promise<boolean>): Promise<boolean> => {
    hooks.park();
    try {
      return await wait();
    } finally {
      hooks.unpark();
    }
  };

  /** One connection: its address's turn (at once and per second), then a global slot. Null when stopped first. */
  const connectOnce = async (target: ConnectionTarget, o: ResolvedOptions): Promise<{ result: ProbeResult; startedAt: number } | null> => {
    // Parked only while actually waiting: a free address costs the job no place in the window.
    let release = gate.tryAcquire(target.address) ?? undefined;
    if (!release) {
      await parked(async () => Boolean((release = await gate(target.address))));
      if (stopped()) {
        release!();
        return null;
      }
    }
    try {
      for (;;) {
        if (stopped()) return null;
        if (rate.mustWait(target.address) && !(await parked(() => rate.turn(target.address)))) return null;
        const result = await limit(async (): Promise<{ result: ProbeResult; startedAt: number } | null | typeof AGAIN> => {
          if (stopped()) return null;
          if (!rate.take(target.address)) return AGAIN;
          const startedAt = rate.clock();
          stats.connections++;
          stats.running++;
          const at = {
            ...target,
            earlierGreetings: greeted.get(`${target.address} ${target.port}`) ?? 0,
            sourceAddress: hooks.sources?.pick(target.address),
          };
          return probeLinked(at, o).then((r) => ({ result: r, startedAt })).finally(() => stats.running--);
        });
        if (result !== AGAIN) return result;
      }
    } finally {
      release!();
    }
  };

  /** Attempts until a result that is not worth retrying; gate and slot are released while backing off. */
  const attempt = async (target: ConnectionTarget, o: ResolvedOptions): Promise<ProbeResult | null> => {
    const reasons: string[] = [];
    let last: ProbeResult | null = null;
    for (let n = 1; ; n++) {
      const made = await connectOnce(target, o);
      if (!made) break;
      const { result } = made;
      noteAnswer(result, made.startedAt);
      result.attempts = n;
      last = result;
      const why = retryReason(result);
      if (!why || n > retries || stopped()) break;
      reasons.push(`attempt ${n}: ${why}`);
      if (!(await parked(() => sleeper.sleep(backoffMs(n, unit))))) break; // stopped while backing off: the last result stands
      if (stopped()) break;
    }
    if (reasons.length && last) {
      stats.retried++;
      last.findings.push({ severity: 'info', code: 'retried', message: `${reasons.join('; ')}; attempt ${last.attempts} ${last.error ? `failed: ${last.error.message}` : 'answered'}` });
    }
    return last;
  };

  return {
    rate,
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
 * would keep every finished session reachable (and trip MaxListenersExceededWarning). The run's
 * signal has one listener, which aborts the probes running at the time (a set): adding a
 * listener per probe would cost as many steps as there are probes running.
 */
function linkedProbes(run: AbortSignal | undefined): (target: ConnectionTarget, o: ResolvedOptions) => Promise<ProbeResult> {
  if (!run) return probeConnection;
  const running = new Set<AbortController>();
  run.addEventListener('abort', () => {
    for (const c of running) c.abort(run.reason);
  }, { once: true });
  return (target, o) => {
    const own = new AbortController();
    if (run.aborted) own.abort(run.reason);
    else running.add(own);
    return probeConnection(target, { ...o, signal: own.signal }).finally(() => running.delete(own));
  };
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
