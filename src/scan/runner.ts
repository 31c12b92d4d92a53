// Every attempt of a scan goes through here: at most `perHost` connections at once (follow-up
// steps of long chains first, so the critical path stays short), one retry for an attempt the
// server did not answer, and a breaker: after a few unanswered attempts in a row (421, closes,
// refusals) nothing more is tried and the scan is reported incomplete, never retried forever.
import { ProbeError } from '../errors.js';
import type { AttemptResult } from './attempt.js';

export const TRIP_AFTER = 3;

interface Waiter {
  priority: number;
  seq: number;
  start: () => void;
}

export class AttemptRunner {
  connections = 0;
  unavailable = 0;
  retries = 0;
  /** Most connections open at once (never above perHost). */
  maxParallel = 0;
  /** Why attempts stopped being made (null while the server answers). */
  tripped: ProbeError | null = null;
  private consecutive = 0;
  private active = 0;
  private seq = 0;
  private queue: Waiter[] = [];

  constructor(private readonly perHost: number, private readonly signal?: AbortSignal, private readonly backoffMs = 150) {}

  /** Runs `job` (one connection) when a slot is free; higher priority first. */
  async run<T>(job: () => Promise<AttemptResult<T>>, priority = 0): Promise<AttemptResult<T>> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped()) return { kind: 'skipped' };
      await this.acquire(priority);
      let result: AttemptResult<T>;
      try {
        if (this.stopped()) return { kind: 'skipped' };
        this.connections++;
        result = await job();
      } finally {
        this.release();
      }
      if (result.kind !== 'unavailable') {
        this.consecutive = 0;
        return result;
      }
      this.unavailable++;
      this.consecutive++;
      if (this.consecutive >= TRIP_AFTER || result.error.code === 'refused' || result.error.code === 'starttls-not-offered') {
        this.tripped ??= result.error;
        return result;
      }
      if (attempt >= 1) return result;
      this.retries++;
      // Jittered, so parallel attempts that met the same 421 do not come back together.
      await new Promise((r) => setTimeout(r, this.backoffMs * (0.5 + Math.random())));
    }
  }

  private stopped(): boolean {
    return this.tripped !== null || this.signal?.aborted === true;
  }

  private acquire(priority: number): Promise<void> {
    if (this.active < this.perHost) {
      this.active++;
      this.maxParallel = Math.max(this.maxParallel, this.active);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.queue.push({ priority, seq: this.seq++, start: resolve });
      this.queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next.start();
    else this.active--;
  }
}
