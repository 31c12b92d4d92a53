// run.ts sharedConnections keeps a connection's result while some destination in progress holds
// its key, and drops it after (memory flat in the number of targets) — also when DNS policies
// (--dane/--mta-sts/--tlsrpt) are part of the key. Seen from outside: with window 1 the same
// connection named by two destinations one after the other is probed twice, with --tlsrpt as
// without.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { parseDestination } from '../../src/destination.js';
import { runProbes } from '../../src/run.js';
import type { ProbeOptions } from '../../src/types.js';

const SHORT = { connectTimeoutMs: 2000, timeoutMs: 2000, bannerTimeoutMs: 2000, tlsTimeoutMs: 2000, deadlineMs: 10_000 } as const;
let pki: Pki;
let server: SmtpFixture;
let dns: DnsFixture;

beforeAll(async () => {
  pki = await createPki();
  server = await startSmtpFixture({ leaf: pki.leaves.good });
  dns = await startDnsServer({});
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.close(), dns?.close()]);
});

async function twice(extra: ProbeOptions) {
  const opts: ProbeOptions = { ca: pki.root.pem, ehlo: 'client.test.example', level: 'encrypt', resolver: [dns.server], ...SHORT, ...extra };
  // Two inputs, one connection; window 1: the second destination starts after the first ended.
  const dests = [`[127.0.0.1]:${server.port}`, `inet:[127.0.0.1]:${server.port}`].map((d) => parseDestination(d, {}));
  return runProbes(dests, opts, { concurrency: 1, perHost: 1, window: 1, retries: 0 });
}

test('a connection result is dropped after its destinations end, with --tlsrpt as without', async () => {
  const plain = await twice({});
  expect(plain.connections).toBe(2); // released after the first destination: probed again
  const rpt = await twice({ tlsrpt: true });
  expect(rpt.results).toBe(2);
  expect(rpt.connections).toBe(plain.connections); // today: 1 (the entry was never released)
}, 30_000);
