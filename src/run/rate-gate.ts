// New connections per second to one address (--per-host-rate), the other half of politeness
// beside --per-host (connections at once). Servers limit both: Postfix's anvil counts
// connections per client per minute (smtpd_client_connection_rate_limit) as well as at once
// (smtpd_client_connection_count_limit); Exim has smtp_accept_max_per_host and ratelimit ACLs.
// Each address has a gap between connection starts; the first connection to an address never
// waits. When the server turns a connection away for its limit (src/smtp/rate-limit.ts, or any
// 421), the gap doubles (at least 1 s, at most MAX_GAP_MS); each greeting shrinks it by a quarter
// back toward the configured gap, so the pace settles near what the server sustains. Memory:
// addresses whose gap is the configured one are forgotten once their next start is due (a
// forgotten address behaves exactly like a remembered one), slowed ones after SLOWED_TTL_MS idle.
// Connections waiting for an address queue up in order, one timer per address: thousands of
// waiters cost no more than their queue entries, and a stopped run ends every wait at once.

/** The longest gap a slowed address gets between connection starts. */
export const MAX_GAP_MS = 60_000;
/** The gap after the first refusal when the configured one is shorter (or there is none). */
const MIN_SLOWED_GAP_MS = 1000;
/** A slowed address not contacted for this long is forgotten (and starts at the configured pace). */
const SLOWED_TTL_MS = 10 * 60_000;
/** Sweep the table when it holds this many addresses. */
const SWEEP_AT = 4096;

interface AddressPace {
  /** When the next connection may start (ms, `now()` clock). */
  next: number;
  /** The current gap, ms: the configured one, or more after refusals. */
  gap: number;
  lastStart: number;
  /** When the gap was last doubled: refusals of connections started before then are the same news. */
  slowedAt: number;
  /** Connections waiting for their turn, first come first served. */
  queue: Array<(turn: boolean) => void>;
  timer: NodeJS.Timeout | null;
}

export interface RateGateOptions {
  /** New connections per second per address; Infinity: no limit (slowdowns still apply). */
  perSecond: number;
  now?: () => number;
  /** Stops every wait (false) when any of these aborts. */
  signals?: readonly (AbortSignal | undefined)[];
}

export class RateGate {
  private readonly base: number;
  private readonly now: () => number;
  private readonly paces = new Map<string, AddressPace>();
  private sweepAt = SWEEP_AT;
  /** Addresses slowed down at least once in this run. */
  slowed = 0;
  /** Time connections spent waiting for their address's pace, ms (summed over connections). */
  waitedMs = 0;

  private aborted = false;

  constructor(o: RateGateOptions) {
    if (!(o.perSecond > 0)) throw new RangeError('perSecond must be greater than 0');
    this.base = Number.isFinite(o.perSecond) ? 1000 / o.perSecond : 0;
    this.now = o.now ?? (() => performance.now());
    for (const s of o.signals ?? []) {
      if (s?.aborted) this.abort();
      else s?.addEventListener('abort', () => this.abort(), { once: true });
    }
  }

  private pace(address: string, now: number): AddressPace {
    let pace = this.paces.get(address);
    if (!pace) {
      this.paces.set(address, (pace = { next: now, gap: this.base, lastStart: now, slowedAt: -Infinity, queue: [], timer: null }));
      if (this.paces.size >= this.sweepAt) this.sweep(now);
    }
    return pace;
  }

  /** Must a connection to `address` wait (its turn has not come, or others wait before it)? */
  mustWait(address: string): boolean {
    const pace = this.paces.get(address);
    return pace !== undefined && (pace.queue.length > 0 || pace.next > this.now());
  }

  /**
   * Waits in `address`'s queue until its turn (true; then `take` it), or until the run is
   * stopped (false). A turn taken meanwhile by a connection that did not wait means queueing again.
   */
  turn(address: string): Promise<boolean> {
    if (this.aborted) return Promise.resolve(false);
    const pace = this.pace(address, this.now());
    const waited = this.now();
    return new Promise<boolean>((resolve) => {
      pace.queue.push((turn) => {
        this.waitedMs += this.now() - waited;
        resolve(turn);
      });
      this.schedule(address, pace);
    });
  }

  /** The first waiter is woken when the address's next start is due. */
  private schedule(address: string, pace: AddressPace): void {
    if (pace.timer || pace.queue.length === 0) return;
    const wake = () => {
      pace.timer = null;
      const wait = pace.next - this.now();
      if (wait > 0) {
        pace.timer = setTimeout(wake, Math.ceil(wait));
        return;
      }
      pace.queue.shift()?.(true);
    };
    pace.timer = setTimeout(wake, Math.max(0, Math.ceil(pace.next - this.now())));
  }

  private abort(): void {
    this.aborted = true;
    for (const pace of this.paces.values()) {
      if (pace.timer) clearTimeout(pace.timer);
      pace.timer = null;
      for (const w of pace.queue.splice(0)) w(false);
    }
  }

  /** The gap between connection starts to `address` now, ms. */
  gapOf(address: string): number {
    return this.paces.get(address)?.gap ?? this.base;
  }

  /** How long until a connection to `address` may start, ms (0: now). */
  waitMs(address: string): number {
    const pace = this.paces.get(address);
    return pace ? Math.max(0, pace.next - this.now()) : 0;
  }

  /** The clock the gate runs on (performance.now unless a test gives its own): for `limited`'s startedAt. */
  clock(): number {
    return this.now();
  }

  /** Starts a connection to `address` if its turn has come (true); false when another took the turn. */
  take(address: string): boolean {
    const now = this.now();
    let pace = this.paces.get(address);
    if (pace && pace.next > now) return false;
    if (!pace) {
      if (this.base === 0) return true; // no pace, no refusal yet: nothing to remember
      pace = this.pace(address, now);
    }
    pace.next = now + pace.gap;
    pace.lastStart = now;
    // The next in line is woken when this start's gap has passed.
    this.schedule(address, pace);
    return true;
  }

  /**
   * The server turned away a connection started at `startedAt`: come back half as often. The
   * refusals of connections that were already under way when the address was last slowed down
   * say nothing new (a burst at the old pace), so they do not slow it down again.
   */
  limited(address: string, startedAt: number = this.now()): void {
    const now = this.now();
    const pace = this.pace(address, now);
    if (startedAt < pace.slowedAt) return;
    if (pace.gap <= this.base) this.slowed++;
    pace.slowedAt = now;
    pace.gap = Math.min(MAX_GAP_MS, Math.max(pace.gap * 2, MIN_SLOWED_GAP_MS));
    pace.next = Math.max(pace.next, pace.lastStart + pace.gap, now);
  }

  /** The server greeted a connection: a slowed address speeds up again, by a quarter per greeting. */
  answered(address: string): void {
    const pace = this.paces.get(address);
    if (!pace || pace.gap <= this.base) return;
    pace.gap = Math.max(this.base, pace.gap * 0.75);
    if (pace.gap < this.base + 1) pace.gap = this.base;
  }

  /** Addresses remembered now (for tests and the memory bound). */
  get size(): number {
    return this.paces.size;
  }

  private sweep(now: number): void {
    for (const [address, pace] of this.paces) {
      const idle = pace.queue.length === 0 && pace.timer === null && pace.next <= now && (pace.gap <= this.base || now - pace.lastStart > SLOWED_TTL_MS);
      if (idle) this.paces.delete(address);
    }
    // Many addresses all still pacing: sweep again only when the table has doubled.
    this.sweepAt = Math.max(SWEEP_AT, this.paces.size * 2);
  }
}

/** `--per-host-rate`: "2/s", "30/min", "0.5" (per second), or "unlimited". */
export function parseRate(value: string): number {
  const v = value.trim().toLowerCase();
  if (v === 'unlimited' || v === 'none') return Infinity;
  const m = /^(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?$/.exec(v);
  const n = m ? Number(m[1]) / (m[2]?.startsWith('m') ? 60 : 1) : NaN;
  if (!(n > 0)) return NaN;
  return n;
}
