// sslscan as the reference: on the same fixture, the accepted protocols and ciphers per protocol
// must be the same sets. sslscan must be installed in CI (.ci/run's apt list); elsewhere the test
// says loudly that it is skipped.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/index.js';
import { GROUP_IDS } from '../../src/scan/raw-hello.js';
import { hasSslscan, runSslscan } from '../../fixtures/scan/sslscan.js';
import { SCAN_SHORT, useScanFixtures } from './helpers.js';
import type { ScanFixtureName } from '../../fixtures/scan/configs.js';

const sslscanInstalled = await hasSslscan();
if (!sslscanInstalled) {
  if (process.env.CI) throw new Error('sslscan is required in CI (apt-get install sslscan)');
  console.warn('test/scan/sslscan.test.ts: sslscan not installed, comparison skipped');
}

const fx = useScanFixtures();

describe.skipIf(!sslscanInstalled)('same sets as sslscan', () => {
  it.each<ScanFixtureName>(['weak', 'dual', 'tls13Only', 'dhMixed'])('fixture %s', async (name) => {
    const f = await fx.start(name);
    const [ss, ours] = await Promise.all([runSslscan(f.port), scan(`[127.0.0.1]:${f.port}`, SCAN_SHORT)]);
    const theirs = ss.ciphers;
    const mine = Object.fromEntries(ours.protocols.filter((p) => p.accepted).map((p) => [p.protocol, p.ciphers.map((c) => c.name)]));
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    for (const p of Object.keys(theirs)) expect(new Set(mine[p]), p).toEqual(new Set(theirs[p]));
    expect(ours.protocols.every((p) => p.complete)).toBe(true);
    // Groups of the highest version. (sslscan 2.0.7 lists no TLS 1.2 curves for a server of
    // TLS <= 1.2 whose ECDHE suites are few, as 'weak': compared where it lists some.)
    const top = ours.groups[0]?.protocol;
    if (top && ss.groups[top]) expect(new Set(ours.groups.filter((g) => g.accepted).map((g) => GROUP_IDS[g.name])), 'groups').toEqual(new Set(ss.groups[top] ?? []));
    // Heartbleed per protocol <= TLS 1.2.
    const hb = Object.fromEntries(ours.features.heartbleed.map((h) => [h.protocol, h.vulnerable]));
    expect(hb).toEqual(Object.fromEntries(Object.entries(ss.heartbleed).filter(([p]) => p !== 'TLSv1.3')));
    // TLS_FALLBACK_SCSV where two versions are accepted. (sslscan also says "supports" for a
    // server of one version, whose refusal is protocol_version, not inappropriate_fallback.)
    if (Object.keys(theirs).length >= 2) expect(ours.features.fallbackScsv).toBe(ss.fallbackScsv);
  });
});
