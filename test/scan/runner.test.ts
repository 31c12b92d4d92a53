// The scan's attempt runner against scripted "servers" (jobs that answer, refuse with 421, or
// go unanswered): a polite server pays nothing, a limited one gets one connection at a time and
// every unit answered, a server that never lets up stops the scan with `rate-limited`, bounded.
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/errors.js';
import { AttemptRunner, type RunnerOptions } from '../../src/scan/runner.js';
import type { AttemptResult } from '../../src/scan/attempt.js';

const FAST: Partial<RunnerOptions> = { backoffBaseMs: 5, backoffMaxMs: 40, gapBaseMs: 2, retryDelayMs: 5, random: () => 0.5 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busy = () => new ProbeError('banner', 'smtp-reply', 'server refused the session: 421 Too many concurrent SMTP connections', { code: 421, enhanced: null, text: 'Too many concurrent SMTP connections' });

/** A server with `cap` session slots; a session holds its slot `linger` ms after it ends (Exim after a failed handshake). */
function limitedServer(cap: number, linger: number) {
  let sessions = 0;
  let open = 0;
  let maxOpen = 0;
  let refused = 0;
  const job = async (): Promise<AttemptResult<string>> => {
    if (sessions >= cap) {
      refused++;
      return { kind: 'unavailable', error: busy() };
    }
    sessions++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    await sleep(2);
    open--;
    setTimeout(() => sessions--, linger);
    return { kind: 'accepted', value: 'ok' };
  };
  return { job, get refused() { return refused; }, get maxOpen() { return maxOpen; } };
}

describe('AttemptRunner', () => {
  it('a server that never refuses: perHost at once, no pacing, no backoff', async () => {
    const runner = new AttemptRunner({ perHost: 4, ...FAST });
    const server = limitedServer(1000, 0);
    const results = await Promise.all(Array.from({ length: 20 }, () => runner.run(server.job)));
    expect(results.every((r) => r.kind === 'accepted')).toBe(true);
    expect(runner).toMatchObject({ connections: 20, maxParallel: 4, rateLimited: 0, backoffMs: 0, adaptive: false, tripped: null });
  });

  it('a capped server: one at a time after the first 421, every attempt made again until answered', async () => {
    const runner = new AttemptRunner({ perHost: 4, ...FAST });
    const server = limitedServer(3, 25);
    const results = await Promise.all(Array.from({ length: 30 }, () => runner.run(server.job)));
    expect(results.map((r) => r.kind)).toEqual(Array(30).fill('accepted'));
    expect(runner.adaptive).toBe(true);
    expect(runner.rateLimited).toBe(server.refused);
    expect(runner.rateLimitReason).toMatch(/^421 Too many concurrent SMTP connections \(greeting\)$/);
    expect(runner.tripped).toBeNull();
    expect(runner.backoffMs).toBeGreaterThan(0);
    runner.close();
  });

  it('a server that answers 421 to everything: stops after the refusals in a row, as rate-limited, and skips the rest', async () => {
    const runner = new AttemptRunner({ perHost: 4, ...FAST, maxRefusalsInARow: 4 });
    let calls = 0;
    const job = async (): Promise<AttemptResult<string>> => {
      calls++;
      return { kind: 'unavailable', error: busy() };
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => runner.run(job)));
    expect(runner.tripped?.code).toBe('rate-limited');
    expect(runner.tripped?.phase).toBe('banner');
    expect(runner.tripped?.reply?.code).toBe(421);
    // The first wave of 4 in flight, then one at a time until the fourth refusal in a row.
    expect(calls).toBeLessThanOrEqual(4 + 4);
    expect(results.filter((r) => r.kind === 'skipped').length).toBeGreaterThan(0);
    expect(runner.stopReason()).toMatch(/^not tried: rate-limited: 421/);
    runner.close();
  });

  it('no backoff past the deadline: it stops instead of waiting', async () => {
    const runner = new AttemptRunner({ perHost: 1, ...FAST, backoffBaseMs: 10_000, backoffMaxMs: 10_000, deadlineAt: performance.now() + 50 });
    const started = performance.now();
    const r = await runner.run(async (): Promise<AttemptResult<string>> => ({ kind: 'unavailable', error: busy() }));
    expect(r.kind).toBe('unavailable');
    expect(runner.tripped?.code).toBe('rate-limited');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('connection refused: the first attempt means nothing listens (stop), after greetings a limit (back off, retry)', async () => {
    const refused = () => new ProbeError('connect', 'refused', 'connection refused');
    const first = new AttemptRunner({ perHost: 2, ...FAST });
    expect((await first.run(async (): Promise<AttemptResult<string>> => ({ kind: 'unavailable', error: refused() }))).kind).toBe('unavailable');
    expect(first.tripped?.code).toBe('refused');
    expect(first.connections).toBe(1);

    const later = new AttemptRunner({ perHost: 2, ...FAST });
    await later.run(async (): Promise<AttemptResult<string>> => ({ kind: 'accepted', value: 'ok' }));
    let n = 0;
    const r = await later.run(async (): Promise<AttemptResult<string>> => (++n < 3 ? { kind: 'unavailable', error: refused() } : { kind: 'accepted', value: 'ok' }));
    expect(r.kind).toBe('accepted');
    expect(later.rateLimited).toBe(2);
    expect(later.rateLimitReason).toBe('connection refused after 1 greeted connection');
    later.close();
  });

  it('other unanswered attempts: retried once; three in a row stop the scan', async () => {
    const runner = new AttemptRunner({ perHost: 1, ...FAST });
    const timeout = () => new ProbeError('banner', 'timeout', 'timeout waiting for banner');
    let calls = 0;
    const job = async (): Promise<AttemptResult<string>> => {
      calls++;
      return { kind: 'unavailable', error: timeout() };
    };
    expect((await runner.run(job)).kind).toBe('unavailable');
    expect(calls).toBe(2);
    expect(runner.retries).toBe(1);
    await runner.run(job);
    expect(runner.tripped?.code).toBe('timeout');
    expect((await runner.run(job)).kind).toBe('skipped');
    expect(runner.rateLimited).toBe(0);
  });

  it('a failed handshake is an answer: no retry, no trip', async () => {
    const runner = new AttemptRunner({ perHost: 1, ...FAST });
    const r = await runner.run(async (): Promise<AttemptResult<string>> => ({ kind: 'failed', reason: 'the server failed the handshake (alert 80 internal_error)', alert: { description: 80, name: 'internal_error' } }));
    expect(r.kind).toBe('failed');
    expect(runner).toMatchObject({ connections: 1, retries: 0, tripped: null, greeted: 1 });
  });
});
