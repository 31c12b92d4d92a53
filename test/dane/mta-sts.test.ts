// MTA-STS (RFC 8461) and TLSRPT against the DNS fixture and an HTTPS fixture on
// 127.0.0.1: mta-sts.DOMAIN resolves through --resolver to 127.0.0.1 and the
// fetch goes to the fixture's port (--mta-sts-port), trusting the test root.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsFixture, type Zone } from '../../fixtures/dns-server.js';
import { policy, startStsServer, type StsServer } from '../../fixtures/dane/mta-sts-server.js';
import type { Pki } from '../../fixtures/pki.js';
import { probeAll } from '../../src/index.js';
import type { ProbeResult } from '../../src/types.js';
import { finding, options, useFixtures } from '../probe/helpers.js';

const fx = useFixtures();
let pki: Pki;
let smtpPort: number;
let sts: StsServer;
let dns: DnsFixture;

const MX = 'mx.test.example';
const CASES = {
  'sts-enforce.example': { body: policy('enforce', [MX]) },
  'sts-testing.example': { body: policy('testing', ['*.test.example']) },
  'sts-uncovered.example': { body: policy('enforce', ['mx.other.example', '*.example']) },
  'sts-testing-uncovered.example': { body: policy('testing', ['mx.other.example']) },
  'sts-ctype.example': { body: policy('enforce', [MX]), contentType: 'text/html; charset=utf-8' },
  'sts-big.example': { body: () => Buffer.alloc(1024 * 1024, 'x') },
  'sts-redirect.example': { status: 301, headers: { location: 'https://mta-sts.sts-enforce.example/.well-known/mta-sts.txt' } },
  'sts-badcert.example': { body: policy('enforce', [MX]), badCert: true },
  'sts-badpolicy.example': { body: 'version: STSv1\nmode: enforce\nmax_age: 86400\n' },
  'sts-norpt.example': { body: policy('enforce', [MX]) },
};

function zoneFor(domains: string[]): Zone {
  const zone: Zone = { [MX]: { A: ['127.0.0.1'] } };
  for (const d of domains) {
    zone[d] = { MX: [{ preference: 10, exchange: MX }] };
    zone[`_mta-sts.${d}`] = { TXT: ['v=STSv1; id=20250101T000000'] };
    zone[`mta-sts.${d}`] = { A: ['127.0.0.1'] };
    if (d !== 'sts-norpt.example') zone[`_smtp._tls.${d}`] = { TXT: [`v=TLSRPTv1; rua=mailto:tlsrpt@${d}`] };
  }
  zone['sts-none.example'] = { MX: [{ preference: 10, exchange: MX }] };
  zone['sts-twotxt.example'] = { MX: [{ preference: 10, exchange: MX }] };
  zone['_mta-sts.sts-twotxt.example'] = { TXT: ['v=STSv1; id=1', 'v=STSv1; id=2'] };
  zone['_smtp._tls.sts-twotxt.example'] = { TXT: ['v=TLSRPTv1; rua=ftp://nope.example'] };
  return zone;
}

beforeAll(async () => {
  pki = await fx.pki();
  smtpPort = (await fx.smtp({ leaf: pki.leaves.good })).port;
  sts = await startStsServer(pki, CASES);
  dns = await startDnsServer(zoneFor(Object.keys(CASES)));
});
afterAll(async () => {
  await Promise.all([sts?.close(), dns?.close()]);
});

async function stsProbe(domain: string, extra = {}): Promise<ProbeResult> {
  const o = { ...options(pki, { level: 'verify', resolver: [dns.server], mtaSts: true, mtaStsPort: sts.port, mtaStsTimeoutMs: 5000, ...extra }), servername: undefined };
  const [r] = await probeAll(`${domain}:${smtpPort}`, o);
  return r;
}
const codes = (r: ProbeResult) => r.findings.filter((f) => f.severity !== 'info').map((f) => f.code);

describe('MTA-STS', () => {
  it('valid enforce policy, MX covered and verified: ok', async () => {
    const r = await stsProbe('sts-enforce.example');
    expect(r.mtaSts).toMatchObject({
      domain: 'sts-enforce.example',
      txt: { id: '20250101T000000', error: null },
      fetch: { url: `https://mta-sts.sts-enforce.example:${sts.port}/.well-known/mta-sts.txt`, status: 200, contentType: 'text/plain', error: null },
      policy: { version: 'STSv1', mode: 'enforce', mx: [MX], maxAge: 86400 },
      mxPattern: MX, verified: true, wouldRefuse: false,
    });
    expect(r.status).toBe('ok');
    expect(finding(r, 'mta-sts-ok')).toBeDefined();
    expect(r.tlsrpt?.rua).toEqual(['mailto:tlsrpt@sts-enforce.example']);
    expect(sts.requests.some((q) => q.host === 'mta-sts.sts-enforce.example' && q.path === '/.well-known/mta-sts.txt')).toBe(true);
  });

  it('testing mode with a wildcard pattern: ok', async () => {
    const r = await stsProbe('sts-testing.example');
    expect(r.mtaSts).toMatchObject({ policy: { mode: 'testing' }, mxPattern: '*.test.example', verified: true, wouldRefuse: false });
    expect(r.status).toBe('ok');
  });

  it('MX not covered in enforce mode: mail would be refused (critical)', async () => {
    const r = await stsProbe('sts-uncovered.example');
    // "*.example" matches one label only: mx.test.example is not covered.
    expect(r.mtaSts).toMatchObject({ mxPattern: null, wouldRefuse: true });
    expect(r.status).toBe('critical');
    expect(codes(r)).toEqual(['mta-sts-enforce-failure']);
    expect(finding(r, 'mta-sts-enforce-failure')?.message).toMatch(/mail would be refused by senders in enforce mode/);
  });

  it('MX not covered in testing mode: a warning, delivered anyway', async () => {
    const r = await stsProbe('sts-testing-uncovered.example');
    expect(r.status).toBe('warning');
    expect(codes(r)).toEqual(['mta-sts-testing-failure']);
  });

  it('enforce policy, certificate that does not name the MX host: refused', async () => {
    const s = await fx.smtp({ leaf: pki.leaves.wrongName });
    const [r] = await probeAll(`sts-enforce.example:${s.port}`, { ...options(pki, { level: 'may', resolver: [dns.server], mtaSts: true, mtaStsPort: sts.port }), servername: undefined });
    expect(r.mtaSts).toMatchObject({ mxPattern: MX, verified: false, wouldRefuse: true });
    expect(codes(r)).toEqual(['mta-sts-enforce-failure']);
  });

  it.each([
    ['sts-ctype.example', /content type "text\/html; charset=utf-8"/],
    ['sts-big.example', /larger than the 65536-byte limit/],
    ['sts-redirect.example', /HTTP 301 redirect to https:\/\/mta-sts\.sts-enforce\.example\/.* not followed/],
    ['sts-badcert.example', /certificate of mta-sts\.sts-badcert\.example does not name/],
    ['sts-badpolicy.example', /policy: mode enforce needs at least one mx line/],
  ])('%s: policy unusable (%s), a warning', async (domain, why) => {
    const r = await stsProbe(domain);
    expect(r.mtaSts?.policy).toBeNull();
    expect(r.mtaSts?.fetch?.error).toMatch(why);
    expect(r.mtaSts?.wouldRefuse).toBe(false);
    expect(codes(r)).toEqual(['mta-sts-policy-unavailable']);
    expect(r.status).toBe('warning');
  });

  it('1 MB body: reading stops at the bound', async () => {
    const r = await stsProbe('sts-big.example');
    expect(r.mtaSts!.fetch!.bytes).toBeGreaterThan(64 * 1024);
    expect(r.mtaSts!.fetch!.bytes).toBeLessThan(1024 * 1024);
  });

  it('no _mta-sts record: no policy, nothing fetched', async () => {
    const before = sts.requests.length;
    const r = await stsProbe('sts-none.example');
    expect(r.mtaSts).toMatchObject({ txt: { record: null, id: null }, fetch: null, policy: null, wouldRefuse: false });
    expect(finding(r, 'mta-sts-none')?.severity).toBe('info');
    expect(sts.requests.length).toBe(before);
    expect(r.status).toBe('ok');
  });

  it('two v=STSv1 records and a bad TLSRPT rua: both invalid, warnings', async () => {
    const r = await stsProbe('sts-twotxt.example');
    expect(r.mtaSts?.txt.error).toMatch(/2 "v=STSv1" TXT records/);
    expect(r.tlsrpt?.error).toMatch(/neither mailto: nor https:/);
    expect(codes(r).sort()).toEqual(['mta-sts-record-invalid', 'tlsrpt-invalid']);
  });

  it('TLSRPT missing while MTA-STS is in use: a warning', async () => {
    const r = await stsProbe('sts-norpt.example');
    expect(r.tlsrpt).toMatchObject({ record: null, rua: [] });
    expect(codes(r)).toEqual(['tlsrpt-missing']);
  });
});
