import { describe, expect, it } from 'vitest';
import { createGate } from '../../src/serve/gate.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('createGate', () => {
  it('caps one address, lets another through, and hands a freed slot to the first waiter', async () => {
    const gate = createGate(10, 1);
    const order: string[] = [];
    const a1 = await gate.acquire('a');
    const a2 = gate.acquire('a').then((r) => (order.push('a2'), r));
    const a3 = gate.acquire('a').then((r) => (order.push('a3'), r));
    const b1 = await gate.acquire('b');
    expect([gate.active, gate.waiting]).toEqual([2, 2]);
    a1();
    a1(); // a second release counts once
    await tick();
    expect(order).toEqual(['a2']);
    (await a2)();
    await tick();
    expect(order).toEqual(['a2', 'a3']);
    (await a3)();
    b1();
    expect([gate.active, gate.waiting]).toEqual([0, 0]);
  });

  it('the overall cap holds across addresses; a waiter for a busy address does not block an idle one', async () => {
    const gate = createGate(2, 2);
    const x1 = await gate.acquire('x');
    const x2 = await gate.acquire('x');
    let y = false;
    const y1 = gate.acquire('y').then((r) => ((y = true), r));
    await tick();
    expect(y).toBe(false);
    x1();
    await tick();
    expect(y).toBe(true);
    x2();
    (await y1)();
    expect(gate.active).toBe(0);
  });

  it('a waiter whose signal aborts leaves the queue and takes no slot', async () => {
    const gate = createGate(1, 1);
    const first = await gate.acquire('a');
    const abort = new AbortController();
    const waiting = gate.acquire('a', abort.signal);
    expect(gate.waiting).toBe(1);
    abort.abort();
    const release = await waiting;
    expect([gate.active, gate.waiting]).toEqual([1, 0]);
    release(); // a no-op: it never held a slot
    expect(gate.active).toBe(1);
    first();
    expect(gate.active).toBe(0);
    // Already aborted: resolved at once, no slot.
    await gate.acquire('a', AbortSignal.abort());
    expect(gate.active).toBe(0);
  });
});
