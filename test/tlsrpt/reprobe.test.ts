// --reprobe: each failing MX host of the Google- and Microsoft-shaped reports is probed today under
// the reported policy type, through the DNS fixture (MX, TLSA with AD, MTA-STS TXT), the MTA-STS
// HTTPS fixture and SMTP fixtures: one MX fixed since (good certificate, matching TLSA), one still
// broken (expired certificate), one that is no longer an MX host of its domain.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { policy, startStsServer, type StsServer } from '../../fixtures/dane/mta-sts-server.js';
import { tlsa } from '../../fixtures/dane/records.js';
import { freePort } from '../../fixtures/prometheus.js';
import type { Pki } from '../../fixtures/pki.js';
import { readTlsrptReport } from '../../src/tlsrpt/report.js';
import { failingMxHosts, reprobe, reprobeOptions } from '../../src/tlsrpt/reprobe.js';
import type { TlsrptReport, TlsrptReprobe } from '../../src/types.js';
import { renderTlsrpt, tlsrptStatus } from '../../src/report/tlsrpt.js';
import { summariseReports } from '../../src/tlsrpt/summary.js';
import { options, useFixtures } from '../probe/helpers.js';

const FIXTURES = new URL('../../fixtures/tlsrpt/', import.meta.url).pathname;
const fx = useFixtures();
let pki: Pki;
let port: number;
let sts: StsServer;
let dns: DnsFixture;

beforeAll(async () => {
  pki = await fx.pki();
  port = await freePort();
  await fx.smtp({ leaf: pki.leaves.good, host: '127.0.0.1', port });
  await fx.smtp({ leaf: pki.leaves.expired, host: '127.0.0.2', port });
  sts = await startStsServer(pki, { 'sts-fixed.example': { body: policy('enforce', ['mx.test.example']) }, 'sts-broken.example': { body: policy('enforce', ['mx2.test.example']) } });
  dns = await startDnsServer({
    'mx.test.example': { A: ['127.0.0.1'] },
    'mx2.test.example': { A: ['127.0.0.2'] },
    [`_${port}._tcp.mx.test.example`]: { TLSA: [tlsa(pki.leaves.good.certPem, 3, 1, 1)] },
    'dane-ok.example': { MX: [{ preference: 10, exchange: 'mx.test.example' }] },
    ...Object.fromEntries(['sts-fixed.example', 'sts-broken.example'].flatMap((d) => [
      [d, { MX: [{ preference: 10, exchange: d === 'sts-fixed.example' ? 'mx.test.example' : 'mx2.test.example' }] }],
      [`_mta-sts.${d}`, { TXT: ['v=STSv1; id=20250301'] }],
      [`mta-sts.${d}`, { A: ['127.0.0.1'] }],
    ])),
  }, { ad: true });
});
afterAll(async () => {
  await Promise.all([sts?.close(), dns?.close()]);
});

describe('reprobeOptions', () => {
  it.each([
    ['sts', {}, { mtaSts: true, level: 'verify' }],
    ['sts', { level: 'secure' }, { mtaSts: true, level: 'secure' }],
    ['tlsa', {}, { level: 'dane' }],
    ['tlsa', { level: 'dane-only' }, { level: 'dane-only' }],
    ['no-policy-found', { level: 'verify' }, { level: 'encrypt' }],
  ] as const)('%s with %j → %j', (type, base, expected) => {
    expect(reprobeOptions(type, base)).toMatchObject(expected);
  });
});

describe('reprobe', () => {
  let outcomes: TlsrptReprobe[];
  let reports: TlsrptReport[];
  beforeAll(async () => {
    reports = await Promise.all(['google.json', 'microsoft.json'].map((f) => readTlsrptReport(join(FIXTURES, f))));
    expect(failingMxHosts(reports)).toHaveLength(4);
    const base = { ...options(pki, { resolver: [dns.server], mtaStsPort: sts.port, mtaStsTimeoutMs: 5000 }), servername: undefined };
    outcomes = await reprobe(reports, base, { port });
  }, 60_000);
  const find = (domain: string, mx: string) => outcomes.find((o) => o.policyDomain === domain && o.mxHost === mx)!;

  it('sts, fixed since the report: the MTA-STS policy covers the MX and its certificate verifies', () => {
    const o = find('sts-fixed.example', 'mx.test.example');
    expect(o.reported).toEqual([{ resultType: 'certificate-expired', sessions: 12 }]);
    expect(o.stillFails).toBe(false);
    expect(o.results[0].mtaSts).toMatchObject({ domain: 'sts-fixed.example', mxPattern: 'mx.test.example', verified: true, wouldRefuse: false });
  });

  it('tlsa (the report named the MX with a trailing dot): probed at level dane, authenticated today', () => {
    const o = find('dane-ok.example', 'mx.test.example');
    expect(o.policyType).toBe('tlsa');
    expect(o.stillFails).toBe(false);
    expect(o.results[0].level).toBe('dane');
    expect(o.results[0].dane).toMatchObject({ lookup: 'secure', authenticated: true, matchedBy: 'dane-ee' });
  });

  it('sts, still broken: the expired certificate fails today, and enforcing senders would refuse it', () => {
    const o = find('sts-broken.example', 'mx2.test.example');
    expect(o.reported).toEqual([{ resultType: 'certificate-expired', sessions: 41 }, { resultType: 'validation-failure', sessions: 4 }]);
    expect(o.stillFails).toBe(true);
    expect(o.results[0].address).toBe('127.0.0.2');
    expect(o.results[0].verification?.error?.reason).toBe('certificate-expired');
    expect(o.results[0].mtaSts?.wouldRefuse).toBe(true);
  });

  it('an MX host the domain no longer has: not probed, said so', () => {
    const o = find('sts-broken.example', 'mx-old.test.example');
    expect(o.stillFails).toBeNull();
    expect(o.results).toEqual([]);
    expect(o.note).toBe('not an MX host of sts-broken.example today (MX now: mx2.test.example)');
  });

  it('rendered: one line per failing MX with its verdict today; the run is critical', () => {
    const summary = summariseReports(reports);
    const text = renderTlsrpt(reports, summary, outcomes);
    expect(text).toMatch(/^STILL FAILS sts sts-broken\.example mx2\.test\.example — reported: certificate-expired ×41, validation-failure ×4$/m);
    expect(text).toMatch(/^PASSES NOW tlsa dane-ok\.example mx\.test\.example — reported: tlsa-invalid ×4$/m);
    expect(text).toMatch(/^NOT PROBED sts sts-broken\.example mx-old\.test\.example/m);
    expect(tlsrptStatus(reports, summary, outcomes)).toBe('critical');
  });
});
