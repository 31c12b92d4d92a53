// Destinations that share an MX host share one connection's result (run.ts sharedConnections),
// but the MTA-STS (and DANE) facts belong to each destination's own domain: two domains hosted on
// one MX (every Google Workspace / Microsoft 365 customer) must not get each other's verdict, or
// a domain whose enforce policy does not cover its MX would read OK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsFixture, type Zone } from '../../fixtures/dns-server.js';
import { policy, startStsServer, type StsServer } from '../../fixtures/dane/mta-sts-server.js';
import type { Pki } from '../../fixtures/pki.js';
import { parseDestination, runProbes } from '../../src/index.js';
import type { ProbeResult } from '../../src/types.js';
import { options, useFixtures } from '../probe/helpers.js';

const fx = useFixtures();
let pki: Pki;
let smtpPort: number;
let sts: StsServer;
let dns: DnsFixture;
const MX = 'mx.test.example';
const CASES = {
  'covered.example': { body: policy('enforce', [MX]) },
  'uncovered.example': { body: policy('enforce', ['mx.other.example']) },
};

beforeAll(async () => {
  pki = await fx.pki();
  smtpPort = (await fx.smtp({ leaf: pki.leaves.good })).port;
  sts = await startStsServer(pki, CASES);
  const zone: Zone = { [MX]: { A: ['127.0.0.1'] } };
  for (const d of Object.keys(CASES)) {
    zone[d] = { MX: [{ preference: 10, exchange: MX }] };
    zone[`_mta-sts.${d}`] = { TXT: ['v=STSv1; id=20250101T000000'] };
    zone[`mta-sts.${d}`] = { A: ['127.0.0.1'] };
  }
  dns = await startDnsServer(zone);
});
afterAll(async () => {
  await Promise.all([sts?.close(), dns?.close()]);
});

describe('runProbes gives each domain on a shared MX its own MTA-STS verdict', () => {
  it('each domain gets its own MTA-STS policy', async () => {
    const o = { ...options(pki, { level: 'verify', resolver: [dns.server], mtaSts: true, mtaStsPort: sts.port, mtaStsTimeoutMs: 5000 }), servername: undefined };
    const results: ProbeResult[] = [];
    const dests = Object.keys(CASES).map((d) => parseDestination(`${d}:${smtpPort}`));
    await runProbes(dests, o, { concurrency: 4, perHost: 2, onResult: (r) => results.push(r) });
    expect(results).toHaveLength(2);
    for (const r of results) expect(r.mtaSts?.domain).toBe(r.destination.split(':')[0]);
    const uncovered = results.find((r) => r.destination.startsWith('uncovered'))!;
    expect(uncovered.mtaSts?.wouldRefuse).toBe(true);
    expect(uncovered.status).toBe('critical');
  });
});
