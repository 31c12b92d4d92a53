// Every attempt of a scan goes through here. It starts with `perHost` connections at once
// (follow-up steps of long chains first, so the critical path stays short). When the server
// turns an attempt away because it limits connections (src/smtp/rate-limit.ts: 421 "too many
// connections", a refusal or reset after earlier greetings), the runner goes one connection at a
// time for the rest of the scan and paces itself to the server: after each refusal a jittered
// pause that doubles while refusals come in a row (Exim holds a session slot 0.5 s after a failed
// handshake, tls-gnu.c tls_server_start: the pause waits those out), then a gap between
// connection starts that grows by half with every refusal and shrinks by a sixth with every
// answer, so it settles near the rate the server sustains. The turned-away attempt is made
// again: such attempts are never results. A server that never refuses pays nothing for
// this. It stops (the scan is reported incomplete, every unit not tested says why) after too
// many refusals in a row, when the next pause would pass the deadline, or after a few
// unanswered attempts of any other kind (closes, timeouts).
import { ProbeError } from '../errors.js';
import { rateLimitReason } from '../smtp/rate-limit.js';
import type { AttemptResult } from './attempt.js';

/** Unanswered attempts in a row (not rate limits) that stop the scan. */
export const TRIP_AFTER = 3;

export interface RunnerOptions {
  perHost: number;
  signal?: AbortSignal;
  /** performance.now() value after which no backoff is started (the scan's deadline). */
  deadlineAt?: number;
  /** The first pause after a refusal (default 50 ms); doubles while refusals come in a row. */
  backoffBaseMs?: number;
  /** Longest pause (default 2 s). */
  backoffMaxMs?: number;
  /** The gap between connection starts after the first refusal (default 20 ms). */
  gapBaseMs?: number;
  /** Refusals in a row, without an answered attempt between them, that stop the scan (default 6). */
  maxRefusalsInARow?: number;
  /** Pause before the one retry of an attempt that went unanswered for another reason (default 150 ms). */
  retryDelayMs?: number;
  random?: () => number;
}

interface Waiter {
  priority: number;
  seq: number;
  start: () => void;
}

export class AttemptRunner {
  connections = 0;
  unavailable = 0;
  retries = 0;
  /** Most connections open at once. */
  maxParallel = 0;
  /** Attempts turned away for a rate limit. */
  rateLimited = 0;
  /** Time spent pausing for the server's limit, ms. */
  backoffMs = 0;
  /** Attempts that got past the plaintext part (the server greeted them). */
  greeted = 0;
  /** Why attempts stopped being made (null while the server answers). */
  tripped: ProbeError | null = null;
  /** The server's limit as it last described it (the 421 text, "refused after N greetings"). */
  rateLimitReason: string | null = null;
  private limit: number;
  private consecutive = 0;
  private refusalsInARow = 0;
  private active = 0;
  private seq = 0;
  private queue: Waiter[] = [];
  private pausedUntil = 0;
  /** Least time between two connection starts; 0 until the server first refuses one. */
  private gapMs = 0;
  private lastStartAt = -Infinity;
  private pauseTimer: ReturnType<typeof setTimeout> | null = null;
  /** Attempts started before this time were in flight when the last pause began. */
  private lastPauseAt = -Infinity;
  private readonly o: Required<Omit<RunnerOptions, 'signal' | 'deadlineAt'>> & Pick<RunnerOptions, 'signal' | 'deadlineAt'>;

  constructor(options: RunnerOptions) {
    this.o = { backoffBaseMs: 50, backoffMaxMs: 2_000, gapBaseMs: 20, maxRefusalsInARow: 6, retryDelayMs: 150, random: Math.random, ...options };
    this.limit = Math.max(1, options.perHost);
    options.signal?.addEventListener('abort', () => this.pump(), { once: true });
  }

  /** Set by the scan when it aborts the runner's signal (deadline, interrupt). */
  abortReason: string | null = null;

  /** Why no more attempts are made. */
  stopReason(): string {
    if (this.tripped) return `not tried: ${this.tripped.message}`;
    return this.abortReason ?? 'not tried: the scan was stopped';
  }

  /** One connection at a time since the server first refused one. */
  get adaptive(): boolean {
    return this.rateLimited > 0;
  }

  /** Runs `job` (one connection) when a slot is free; higher priority first. */
  async run<T>(job: () => Promise<AttemptResult<T>>, priority = 0): Promise<AttemptResult<T>> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped()) return { kind: 'skipped' };
      await this.acquire(priority);
      let result: AttemptResult<T>;
      const startedAt = performance.now();
      try {
        if (this.stopped()) return { kind: 'skipped' };
        this.connections++;
        result = await job();
      } finally {
        this.release();
      }
      // The scan's deadline or an interrupt destroyed the socket: what the attempt saw after that
      // (a close, a reset) is no answer of the server's.
      if (this.o.signal?.aborted && result.kind !== 'accepted') return { kind: 'skipped' };
      if (result.kind !== 'unavailable') {
        // An answer of any kind (accepted, refused, a failed handshake): the server greeted us.
        if (result.kind !== 'skipped') {
          this.greeted++;
          this.consecutive = 0;
          this.refusalsInARow = 0;
          if (this.gapMs > 0) this.gapMs = Math.max(1, this.gapMs * (5 / 6));
        }
        return result;
      }
      this.unavailable++;
      const limited = rateLimitReason(result.error, { earlierGreetings: this.greeted });
      if (limited) {
        this.rateLimited++;
        this.rateLimitReason = limited;
        // The server only sees attempts one at a time from now on.
        this.limit = 1;
        // Attempts already in flight when the pause began met the same limit: one step, not several.
        const fresh = startedAt >= this.lastPauseAt;
        if (fresh) {
          this.refusalsInARow++;
          this.gapMs = Math.min(this.o.backoffMaxMs, Math.max(this.o.gapBaseMs, this.gapMs * 1.5));
        }
        const step = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (this.refusalsInARow - 1));
        const delay = Math.round(step * (0.5 + this.o.random()));
        if (this.refusalsInARow >= this.o.maxRefusalsInARow || (this.o.deadlineAt !== undefined && performance.now() + delay > this.o.deadlineAt)) {
          this.tripped ??= new ProbeError(result.error.phase, 'rate-limited', `rate-limited: ${limited}`, result.error.reply);
          this.pump();
          return result;
        }
        this.pause(delay, fresh);
        this.retries++;
        continue;
      }
      this.consecutive++;
      if (this.consecutive >= TRIP_AFTER || result.error.code === 'refused' || result.error.code === 'starttls-not-offered') {
        this.tripped ??= result.error;
        this.pump();
        return result;
      }
      if (attempt >= 1) return result;
      this.retries++;
      // Jittered, so parallel attempts that met the same failure do not come back together.
      await new Promise((r) => setTimeout(r, this.o.retryDelayMs * (0.5 + this.o.random())));
    }
  }

  private pause(delay: number, extend: boolean): void {
    const now = performance.now();
    const until = now + delay;
    if (!extend && until <= this.pausedUntil) return;
    this.backoffMs += Math.max(0, until - Math.max(now, this.pausedUntil));
    this.pausedUntil = Math.max(this.pausedUntil, until);
    this.lastPauseAt = now;
  }

  /** The scan is over: no timer may keep the process alive. */
  close(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
  }

  private stopped(): boolean {
    return this.tripped !== null || this.o.signal?.aborted === true;
  }

  private acquire(priority: number): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push({ priority, seq: this.seq++, start: resolve });
      this.queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
      this.pump();
    });
  }

  private release(): void {
    this.active--;
    this.pump();
  }

  /** Starts queued attempts while slots are free and no pause is on; stopped runners let every waiter through to see it. */
  private pump(): void {
    if (this.stopped()) {
      for (const w of this.queue.splice(0)) {
        this.active++;
        w.start();
      }
      return;
    }
    const now = performance.now();
    const wait = Math.max(this.pausedUntil, this.active < this.limit && this.queue.length ? this.lastStartAt + this.gapMs : 0) - now;
    if (wait > 0) {
      if (!this.pauseTimer && this.queue.length) {
        this.pauseTimer = setTimeout(() => {
          this.pauseTimer = null;
          this.pump();
        }, wait);
      }
      return;
    }
    while (this.active < this.limit && this.queue.length) {
      const next = this.queue.shift()!;
      this.active++;
      this.maxParallel = Math.max(this.maxParallel, this.active);
      this.lastStartAt = now;
      next.start();
      // Paced: one start per gap.
      if (this.gapMs > 0) {
        if (this.queue.length && !this.pauseTimer) this.pauseTimer = setTimeout(() => {
          this.pauseTimer = null;
          this.pump();
        }, this.gapMs);
        break;
      }
    }
  }
}
