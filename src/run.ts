import pLimit from 'p-limit';
import { probeAll, createRunContext, type RunContext } from './probe.js';
import type { Destination, ProbeOptions, ProbeResult } from './types.js';

export interface RunOptions {
  /** Destinations probed at once (-c). */
  concurrency: number;
  /** Connections at once to one address (--per-host), so a shared MX is never hammered. */
  perHost: number;
  /** Called as each destination's results are in (streaming output, progress). */
  onResults?: (results: ProbeResult[]) => void;
  signal?: AbortSignal;
}

/** A counting semaphore per address. */
export function perAddressGate(limit: number): (address: string) => Promise<() => void> {
  const active = new Map<string, number>();
  const waiting = new Map<string, Array<() => void>>();
  const release = (address: string) => {
    const next = waiting.get(address)?.shift();
    if (next) return next();
    const n = (active.get(address) ?? 1) - 1;
    if (n === 0) active.delete(address);
    else active.set(address, n);
  };
  return (address) =>
    new Promise((resolve) => {
      const grant = () => resolve(() => release(address));
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
 * Probe many destinations: at most `concurrency` at once, at most `perHost`
 * connections to one address. Failures are data; the run never rejects for a
 * server's fault. Stops starting new probes once `signal` aborts.
 */
export async function runProbes(destinations: Iterable<Destination>, options: ProbeOptions, run: RunOptions): Promise<void> {
  const context: RunContext = { ...createRunContext(options), gate: perAddressGate(run.perHost) };
  const limit = pLimit(run.concurrency);
  const jobs: Promise<void>[] = [];
  for (const dest of destinations) {
    jobs.push(
      limit(async () => {
        if (run.signal?.aborted) return;
        const results = await probeAll(dest, { ...options, signal: run.signal }, context);
        run.onResults?.(results);
      }),
    );
  }
  await Promise.all(jobs);
}
