// Scheduling many targets: the per-address cap, deduplication, retries with back-off, and the
// pure helpers behind them.
import { closedPort } from '../../fixtures/closed-port.js';
import { describe, expect, it } from 'vitest';
import { createPki, TEST_HOST } from '../../fixtures/pki.js';
import { smtpDialog } from '../../fixtures/faulty-servers.js';
import { backoffMs, perAddressGate, retryReason, uniqueDestinations } from '../../src/run.js';
import { parseDestination } from '../../src/destination.js';
import { Counter, EHLO_NAME, SHORT, options, run, useRunFixtures } from './helpers.js';
import type { ProbeResult } from '../../src/types.js';

const fx = useRunFixtures();
const may = { level: 'may' as const, ehlo: EHLO_NAME, ...SHORT };

describe('per-address cap', () => {
  it('holds with -c 20 and 30 destinations naming one IP, and is per address, not global', async () => {
    // 30 host names, one address: each name is its own connection (SNI), all behind one gate.
    const one = new Counter();
    const other = new Counter();
    const all = new Counter();
    const a = await fx.slow('127.0.0.2', [one, all], 120);
    await fx.slow('127.0.0.3', [other, all], 120, { starttls: 'none' }, a.port);
    const zone: Record<string, { A: string[] }> = {};
    for (let i = 0; i < 30; i++) zone[`h${i}.cap.test`] = { A: ['127.0.0.2'] };
    for (let i = 0; i < 10; i++) zone[`o${i}.cap.test`] = { A: ['127.0.0.3'] };
    const dns = await fx.dns(zone);
    const inputs = [...Object.keys(zone).map((h) => `[${h}]:${a.port}`)];
    const { results, stats } = await run(inputs, { ...may, resolver: [dns.server] }, { concurrency: 20, perHost: 2 });
    expect(results).toHaveLength(40);
    expect(results.every((r) => r.status === 'warning' && r.error === null)).toBe(true); // may, no STARTTLS
    expect(one.total).toBe(30);
    expect(one.max).toBeLessThanOrEqual(2);
    expect(other.max).toBeLessThanOrEqual(2);
    expect(all.max).toBeGreaterThan(2); // the second address was not held up by the first
    expect(stats.connections).toBe(40);
    // One MX host name per DNS name: each asked once (A and AAAA), not once per probe.
    const aQueries = dns.queries.filter((q) => q.type === 'A');
    expect(new Set(aQueries.map((q) => q.name)).size).toBe(aQueries.length);
  });

  it('lets more through when --per-host allows it (the counter can see overlap)', async () => {
    const c = new Counter();
    const s = await fx.slow('127.0.0.4', c, 200);
    const zone: Record<string, { A: string[] }> = {};
    for (let i = 0; i < 12; i++) zone[`h${i}.wide.test`] = { A: ['127.0.0.4'] };
    const dns = await fx.dns(zone);
    await run(Object.keys(zone).map((h) => `[${h}]:${s.port}`), { ...may, resolver: [dns.server] }, { concurrency: 20, perHost: 6 });
    expect(c.total).toBe(12);
    expect(c.max).toBeGreaterThan(2);
    expect(c.max).toBeLessThanOrEqual(6);
  });

  it('a gate slot goes to the next waiter in order, and a release twice counts once', async () => {
    const gate = perAddressGate(1);
    const order: number[] = [];
    const r1 = await gate('a');
    const w2 = gate('a').then((r) => (order.push(2), r));
    const w3 = gate('a').then((r) => (order.push(3), r));
    const other = await gate('b'); // another address is not held up
    r1();
    r1();
    const r2 = await w2;
    expect(order).toEqual([2]);
    r2();
    (await w3)();
    other();
    expect(order).toEqual([2, 3]);
  });
});

describe('dedupe', () => {
  it('three destinations naming one connection: one connection, three results with their own destination', async () => {
    const pki = await createPki();
    const s = await fx.smtp({ leaf: pki.leaves.good });
    const inputs = [`[127.0.0.1]:${s.port}`, `smtp://127.0.0.1:${s.port}`, `inet:[127.0.0.1]:${s.port}`];
    const { results, stats } = await run(inputs, options(pki));
    expect(s.connections).toBe(1);
    expect(results.map((r) => r.destination).sort()).toEqual([...inputs].sort());
    expect(results.every((r) => r.status === 'ok' && r.tls?.protocol === 'TLSv1.3')).toBe(true);
    expect(stats).toMatchObject({ connections: 1, shared: 2, results: 3, completed: 3 });
    // Copies, not one object: a finding added to one result is not in the others.
    results[0].findings.push({ severity: 'info', code: 'x', message: 'x' });
    expect(results[1].findings.some((f) => f.code === 'x')).toBe(false);
  });

  it('different host names on one address are different connections (SNI may pick the certificate)', async () => {
    const pki = await createPki();
    const s = await fx.smtp({ leaf: pki.leaves.good, host: '127.0.0.5' });
    const dns = await fx.dns({ 'a.dedupe.test': { A: ['127.0.0.5'] }, 'b.dedupe.test': { A: ['127.0.0.5'] } });
    const { results } = await run([`[a.dedupe.test]:${s.port}`, `[b.dedupe.test]:${s.port}`, `[a.dedupe.test]:${s.port}`], options(pki, { resolver: [dns.server] }));
    expect(s.connections).toBe(2);
    expect(results).toHaveLength(3);
  });

  it('a list naming a destination twice keeps it once', () => {
    const list = ['example.com', 'EXAMPLE.com', 'example.com:587', '[example.com]', 'example.com'].map((d) => parseDestination(d));
    const { destinations, duplicates } = uniqueDestinations(list);
    expect(destinations.map((d) => d.input)).toEqual(['example.com', 'example.com:587', '[example.com]']);
    expect(duplicates).toBe(2);
  });
});

describe('retries', () => {
  it('421 on the first connection, 220 after: attempts 2 and OK', async () => {
    const pki = await createPki();
    const s = await fx.raw(async (io, n) => {
      if (n === 0) {
        await io.writeline('421 4.3.2 Too many connections, try again later');
        return;
      }
      await smtpDialog(io, { tls: { key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem } });
    });
    const { results, stats } = await run([`[127.0.0.1]:${s.port}`], options(pki));
    expect(s.connections).toBe(2);
    expect(results[0]).toMatchObject({ status: 'ok', attempts: 2, error: null });
    // "Too many connections": a rate limit (src/smtp/rate-limit.ts), retried as one.
    expect(results[0].findings.find((f) => f.code === 'retried')?.message).toMatch(/attempt 1: rate-limited: 421 4\.3\.2 Too many connections/);
    expect(stats).toMatchObject({ connections: 2, retried: 1 });
  });

  it('--retries 0: the 421 is the result', async () => {
    const pki = await createPki();
    const s = await fx.raw(async (io) => io.writeline('421 4.3.2 Go away'));
    const { results } = await run([`[127.0.0.1]:${s.port}`], options(pki), { retries: 0 });
    expect(s.connections).toBe(1);
    expect(results[0]).toMatchObject({ status: 'critical', attempts: 1, error: { phase: 'banner', code: 'smtp-reply' } });
  });

  it('454 to STARTTLS and connection refused are retried up to --retries', async () => {
    const pki = await createPki();
    const s = await fx.raw(async (io) => smtpDialog(io, { starttls: 'refuse' }));
    const freePort = await closedPort(); // refuses, and no other test's fixture can take it
    const { results } = await run([`[127.0.0.1]:${s.port}`, `[127.0.0.1]:${freePort}`], options(pki), { retries: 2 });
    const by = (port: number) => results.find((r) => r.port === port) as ProbeResult;
    expect(s.connections).toBe(3);
    expect(by(s.port)).toMatchObject({ attempts: 3, error: { code: 'starttls-refused' } });
    expect(by(freePort)).toMatchObject({ attempts: 3, error: { code: 'refused' } });
  });

  it('what is retried, and how long the back-off is', () => {
    const base = { smtp: { starttls: { offered: true, reply: null } }, error: null } as unknown as ProbeResult;
    const with_ = (over: object) => ({ ...base, ...over }) as ProbeResult;
    expect(retryReason(base)).toBeNull();
    expect(retryReason(with_({ error: { phase: 'connect', code: 'refused', message: '' } }))).toBe('connection refused');
    expect(retryReason(with_({ error: { phase: 'connect', code: 'timeout', message: '' } }))).toBeNull();
    expect(retryReason(with_({ error: { phase: 'ehlo', code: 'smtp-reply', message: '', reply: { code: 421, enhanced: null, text: '' } } }))).toBe('421 in ehlo');
    expect(retryReason(with_({ error: { phase: 'mail', code: 'smtp-reply', message: '', reply: { code: 550, enhanced: null, text: '' } } }))).toBeNull();
    expect(retryReason(with_({ smtp: { starttls: { offered: true, reply: { code: 454, enhanced: '4.7.0', text: '' } } } }))).toBe('454 to STARTTLS');
    expect(backoffMs(1, 1000, () => 0)).toBe(1000);
    expect(backoffMs(1, 1000, () => 0.999999)).toBe(3000);
    expect(backoffMs(2, 1000, () => 0.5)).toBe(4000);
  });
});

void TEST_HOST;
