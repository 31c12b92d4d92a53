// The scan against a real Postfix with Debian's TLS defaults ('good': ~90 protocol/cipher pairs,
// client order, ADH suites with OpenSSL's automatic DH sizes) and TLS 1.3 only, sslscan as the
// reference: the same protocol, cipher and group sets, every unit tested; and the DH finding
// names the anonymous suites with their own size.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startPostfix, type PostfixInstance } from '../../fixtures/postfix/instance.js';
import { hasSslscan, runSslscan } from '../../fixtures/scan/sslscan.js';
import { scan } from '../../src/scan/index.js';
import { GROUP_IDS } from '../../src/scan/raw-hello.js';
import { describePostfix } from '../postfix/guard.js';
import { SCAN_SHORT } from './helpers.js';

describePostfix('scan of a real Postfix vs sslscan', () => {
  let pki: Pki;
  let pf: PostfixInstance;
  let sslscan = false;
  beforeAll(async () => {
    pki = await createPki();
    pf = await startPostfix({ pki, scenarios: ['good', 'tls13'] });
    sslscan = await hasSslscan();
    if (!sslscan && process.env.CI) throw new Error('sslscan is required in CI (apt-get install sslscan)');
  });
  afterAll(async () => {
    await pf?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it.each(['good', 'tls13'] as const)('scenario %s', async (name) => {
    const port = pf.services[name].port;
    const r = await scan(`[127.0.0.1]:${port}`, { ...SCAN_SHORT, servername: TEST_HOST });
    expect(r.error).toBeNull();
    expect(r.incomplete).toBe(false);
    expect(r.attempts.adaptive).toBe(false);
    for (const p of r.protocols) expect(p, p.protocol).toMatchObject({ complete: true, untested: [] });
    expect(r.negotiated?.peerSignature).toMatchObject({ type: 'RSA-PSS', digest: 'SHA256' });
    if (name === 'good') {
      // Debian's defaults: anonymous suites get OpenSSL's automatic DH size, smaller than DHE-RSA's.
      const adh = r.protocols.flatMap((p) => p.ciphers).filter((c) => c.anonymous && c.keyExchange === 'DH');
      expect(adh.length).toBeGreaterThan(0);
      expect(new Set(adh.map((c) => c.keyExchangeGroup))).toContain('DH 1024');
      expect(r.findings.find((f) => f.code === 'dh-params-insufficient')?.message).toMatch(/^DHE parameters of 1024 bits \(ADH-[^)]*\) \(insufficient/);
      expect(r.dheBits).toBe(1024);
    }
    if (!sslscan) return;
    const ss = await runSslscan(port);
    const mine = Object.fromEntries(r.protocols.filter((p) => p.accepted).map((p) => [p.protocol, new Set(p.ciphers.map((c) => c.name))]));
    expect(mine).toEqual(Object.fromEntries(Object.entries(ss.ciphers).map(([p, cs]) => [p, new Set(cs)])));
    const top = r.groups[0]?.protocol;
    if (top && ss.groups[top]) expect(new Set(r.groups.filter((g) => g.accepted).map((g) => GROUP_IDS[g.name]))).toEqual(new Set(ss.groups[top]));
    if (Object.keys(mine).length >= 2) expect(r.features.fallbackScsv).toBe(ss.fallbackScsv);
  }, 60_000);
});
