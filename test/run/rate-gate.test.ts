// The per-address pace: the gap between connection starts, its doubling after a refusal and its
// recovery, and the bounded memory. A fake clock: these are rules, not timings.
import { describe, expect, it } from 'vitest';
import { MAX_GAP_MS, parseRate, RateGate } from '../../src/run/rate-gate.js';
import { parsePerHostRate } from '../../src/cli-options.js';
import { UsageError } from '../../src/errors.js';

function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RateGate', () => {
  it('first connection at once, the next after 1/rate, per address', () => {
    const c = clock();
    const g = new RateGate({ perSecond: 2, now: c.now });
    expect(g.take('a')).toBe(true);
    expect(g.take('a')).toBe(false);
    expect(g.waitMs('a')).toBe(500);
    expect(g.take('b')).toBe(true); // another address is not held up
    c.advance(499);
    expect(g.take('a')).toBe(false);
    c.advance(1);
    expect(g.take('a')).toBe(true);
  });

  it('a refusal doubles the gap (at least 1 s), up to the cap; greetings bring it back', () => {
    const c = clock();
    const g = new RateGate({ perSecond: 2, now: c.now });
    g.take('a');
    g.limited('a');
    expect(g.gapOf('a')).toBe(1000);
    expect(g.slowed).toBe(1);
    for (let i = 0; i < 10; i++) g.limited('a');
    expect(g.gapOf('a')).toBe(MAX_GAP_MS);
    expect(g.slowed).toBe(1); // one address
    for (let i = 0; i < 40 && g.gapOf('a') > 500; i++) g.answered('a');
    expect(g.gapOf('a')).toBe(500);
  });

  it('refusals of connections started before the last slowdown do not slow it down again', () => {
    const c = clock();
    const g = new RateGate({ perSecond: Infinity, now: c.now });
    const burst = c.now();
    for (let i = 0; i < 8; i++) g.take('a'); // eight at once, no pace yet
    c.advance(5);
    for (let i = 0; i < 6; i++) g.limited('a', burst); // six of them turned away: one piece of news
    expect(g.gapOf('a')).toBe(1000);
    c.advance(1000);
    const later = c.now();
    g.take('a');
    g.limited('a', later); // turned away at the new pace: slower again
    expect(g.gapOf('a')).toBe(2000);
  });

  it('without a rate, only refusals pace an address', () => {
    const c = clock();
    const g = new RateGate({ perSecond: Infinity, now: c.now });
    for (let i = 0; i < 100; i++) expect(g.take('a')).toBe(true);
    expect(g.size).toBe(0);
    g.limited('a');
    expect(g.take('a')).toBe(false);
    c.advance(1000);
    expect(g.take('a')).toBe(true);
  });

  it('forgets addresses whose turn is due: memory bounded by the addresses still pacing', () => {
    const c = clock();
    const g = new RateGate({ perSecond: 2, now: c.now });
    for (let i = 0; i < 20_000; i++) {
      g.take(`10.0.${i >> 8}.${i & 255}`);
      c.advance(1);
    }
    // Only those started in the last 500 ms (plus one sweep's lag) are remembered.
    expect(g.size).toBeLessThan(4096 + 500);
  });

  it('waiters get their turns in order, one gap apart; a stop ends every wait at once', async () => {
    const stop = new AbortController();
    const g = new RateGate({ perSecond: 20, signals: [stop.signal] });
    expect(g.take('a')).toBe(true);
    expect(g.mustWait('a')).toBe(true);
    const order: number[] = [];
    const started: number[] = [];
    const waiters = [1, 2, 3].map((i) => g.turn('a').then((turn) => {
      order.push(i);
      if (turn && g.take('a')) started.push(performance.now());
      return turn;
    }));
    expect(await Promise.all(waiters)).toEqual([true, true, true]);
    expect(order).toEqual([1, 2, 3]);
    for (let i = 1; i < started.length; i++) expect(started[i] - started[i - 1]).toBeGreaterThanOrEqual(45);
    const late = [g.turn('a'), g.turn('a')];
    stop.abort();
    expect(await Promise.all(late)).toEqual([false, false]);
    expect(await g.turn('b')).toBe(false);
  });

  it('parses rates', () => {
    expect(parseRate('2/s')).toBe(2);
    expect(parseRate('30/min')).toBe(0.5);
    expect(parseRate('0.5')).toBe(0.5);
    expect(parseRate('unlimited')).toBe(Infinity);
    expect(parsePerHostRate('10 / s')).toBe(10);
    for (const bad of ['0', '0/s', 'fast', '-1/s', '2/h']) expect(() => parsePerHostRate(bad), bad).toThrow(UsageError);
  });
});
