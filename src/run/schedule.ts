// The scheduling rules of a run, pure and small: the per-address semaphore (--per-host), which
// answers are worth another attempt, and the jittered back-off between attempts.
import type { ProbeResult } from '../types.js';

/** A counting semaphore per address; `tryAcquire` takes a free slot without waiting, or returns null. */
export function perAddressGate(limit: number): ((address: string) => Promise<() => void>) & { tryAcquire(address: string): (() => void) | null } {
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
  const releaser = (address: string) => {
    let released = false;
    return () => {
      if (!released) release(address);
      released = true;
    };
  };
  const tryAcquire = (address: string): (() => void) | null => {
    const n = active.get(address) ?? 0;
    if (n >= limit) return null;
    active.set(address, n + 1);
    return releaser(address);
  };
  const acquire = (address: string) =>
    new Promise<() => void>((resolve) => {
      const now = tryAcquire(address);
      if (now) return resolve(now);
      const queue = waiting.get(address) ?? [];
      queue.push(() => resolve(releaser(address)));
      waiting.set(address, queue);
    });
  return Object.assign(acquire, { tryAcquire });
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
