// Facts the peers show: the server's handshake signature, TLS_FALLBACK_SCSV, Heartbleed,
// post-quantum hybrid groups from a HelloRetryRequest, the DH size of every DHE suite (anonymous
// ones included) named in the finding; and --quick, a handful of connections.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/index.js';
import { AttemptRunner } from '../../src/scan/runner.js';
import { scanGroups } from '../../src/scan/groups.js';
import { scanHeartbleed } from '../../src/scan/heartbleed.js';
import type { ScanTarget } from '../../src/scan/target.js';
import { GROUP_IDS } from '../../src/scan/raw-hello.js';
import { startCannedTlsServer } from '../../fixtures/scan/canned-tls-server.js';
import { DH_MIXED_CIPHERS } from '../../fixtures/scan/configs.js';
import { SCAN_SHORT, accepted, codes, protocolsOf, useScanFixtures } from './helpers.js';

const fx = useScanFixtures();
const dest = (port: number) => `[127.0.0.1]:${port}`;
const target = (port: number): ScanTarget => ({
  host: 'mx.test.example', address: '127.0.0.1', port, mode: 'starttls', servername: 'mx.test.example', ehlo: 'client.test.example',
  connectTimeoutMs: 3000, timeoutMs: 3000, bannerTimeoutMs: 3000, tlsTimeoutMs: 3000,
});

describe('scan facts', () => {
  it('the server signature per certificate and in the default handshake', async () => {
    const f = await fx.start('dual');
    const r = await scan(dest(f.port), SCAN_SHORT);
    expect(r.negotiated?.peerSignature).toMatchObject({ type: expect.stringMatching(/^(RSA-PSS|ECDSA)$/) });
    const by = Object.fromEntries(r.certificates.map((c) => [c.requested, c.signature]));
    expect(by.ecdsa).toEqual({ scheme: 0x0403, name: 'ecdsa_secp256r1_sha256', type: 'ECDSA', digest: 'SHA256' });
    expect(by.rsa).toEqual({ scheme: 0x0804, name: 'rsa_pss_rsae_sha256', type: 'RSA-PSS', digest: 'SHA256' });
  });

  it('TLS_FALLBACK_SCSV: supported where two versions are accepted, not applicable with one', async () => {
    const [weak, tls13] = await Promise.all([fx.start('weak'), fx.start('tls13Only')]);
    const [a, b] = await Promise.all([scan(dest(weak.port), SCAN_SHORT), scan(dest(tls13.port), SCAN_SHORT)]);
    expect(a.features.fallbackScsv).toBe(true);
    expect(a.features.untested.fallbackScsv).toBeUndefined();
    expect(b.features.fallbackScsv).toBeNull();
    expect(b.features.untested.fallbackScsv).toBe('not applicable: only TLSv1.3 is accepted, nothing to fall back to');
    expect(a.features.heartbleed).toEqual([
      { protocol: 'TLSv1', vulnerable: false }, { protocol: 'TLSv1.1', vulnerable: false }, { protocol: 'TLSv1.2', vulnerable: false },
    ]);
    expect(b.features.heartbleed).toEqual([]);
    expect(b.features.untested.heartbleed).toMatch(/^not applicable/);
  });

  it('Heartbleed: a server that answers a heartbeat with more than it was sent is vulnerable; a patched one echoes only the honest request', async () => {
    const [bleeding, patched] = await Promise.all([startCannedTlsServer({ tls12: true, heartbleed: 'vulnerable' }), startCannedTlsServer({ tls12: true, heartbleed: 'patched' })]);
    fx.track(bleeding.close);
    fx.track(patched.close);
    const runner = new AttemptRunner({ perHost: 2 });
    expect(await scanHeartbleed(runner, target(bleeding.port), 'TLSv1.2')).toEqual({ protocol: 'TLSv1.2', vulnerable: true, untestedReason: null });
    expect(await scanHeartbleed(runner, target(patched.port), 'TLSv1.2')).toEqual({ protocol: 'TLSv1.2', vulnerable: false, untestedReason: null });
    // No TLS 1.1 there: not tested, and says why.
    expect(await scanHeartbleed(runner, target(patched.port), 'TLSv1.1')).toMatchObject({ vulnerable: null, untestedReason: expect.stringMatching(/no TLSv1.1 handshake/) });
    runner.close();
  });

  it('post-quantum hybrids are found from the HelloRetryRequest like the other groups, in the server\'s order', async () => {
    const order = [GROUP_IDS.X25519MLKEM768, GROUP_IDS.X25519, GROUP_IDS.SecP256r1MLKEM768, GROUP_IDS['P-256']];
    const server = await startCannedTlsServer({ groups: order });
    fx.track(server.close);
    const runner = new AttemptRunner({ perHost: 2 });
    const groups = await scanGroups(runner, target(server.port), 'TLSv1.3');
    expect(groups.filter((g) => g.accepted).map((g) => g.name)).toEqual(['X25519MLKEM768', 'X25519', 'SecP256r1MLKEM768', 'P-256']);
    expect(groups.find((g) => g.name === 'X25519MLKEM768')).toMatchObject({ hybrid: true, bits: null, protocol: 'TLSv1.3', untestedReason: null });
    expect(groups.find((g) => g.name === 'SecP384r1MLKEM1024')).toMatchObject({ accepted: false, hybrid: true });
    expect(groups.filter((g) => g.accepted === null)).toEqual([]);
    // One connection per accepted group and one that ends the elimination: no key generated anywhere.
    expect(runner.connections).toBe(order.length + 1);
    runner.close();
  });

  it('DH sizes per suite: the finding names the anonymous suites of 1024 bits apart from DHE-RSA\'s 2048', async () => {
    const f = await fx.start('dhMixed');
    const r = await scan(dest(f.port), SCAN_SHORT);
    const groupOf = Object.fromEntries(r.protocols.flatMap((p) => p.ciphers).map((c) => [c.name, c.keyExchangeGroup]));
    expect(new Set(accepted(r, 'TLSv1.2'))).toEqual(new Set(DH_MIXED_CIPHERS));
    expect(groupOf).toEqual({ 'DHE-RSA-AES128-GCM-SHA256': 'DH 2048', 'ADH-AES128-GCM-SHA256': 'DH 1024', 'ADH-AES256-GCM-SHA384': 'DH 3072' });
    expect(r.dheBits).toBe(1024);
    const insufficient = r.findings.find((x) => x.code === 'dh-params-insufficient')!;
    expect(insufficient.message).toBe('DHE parameters of 1024 bits (ADH-AES128-GCM-SHA256) (insufficient; NCSC: >= 3072)');
    expect(r.findings.find((x) => x.code === 'dh-params-phase-out')!.message).toBe('DHE parameters of 2048 bits (DHE-RSA-AES128-GCM-SHA256) (phase-out; NCSC: >= 3072)');
    const moz = await scan(dest(f.port), { ...SCAN_SHORT, profile: 'mozilla-intermediate' });
    expect(moz.findings.find((x) => x.code === 'dh-params-small')?.message).toBe('DHE parameters of 1024 bits (ADH-AES128-GCM-SHA256) (mozilla-intermediate: ffdhe2048 or larger)');
  });

  it('--quick: every protocol with its preferred cipher, certificates, injection; the rest says "quick scan"', async () => {
    const f = await fx.start('weak');
    const [full, quick] = [await scan(dest(f.port), SCAN_SHORT), await scan(dest(f.port), { ...SCAN_SHORT, quick: true })];
    expect(quick.quick).toBe(true);
    expect(protocolsOf(quick)).toEqual(protocolsOf(full));
    for (const p of quick.protocols.filter((x) => x.accepted)) {
      const fullList = full.protocols.find((x) => x.protocol === p.protocol)!;
      // Server order: the preferred cipher is the head of the full list.
      expect(p.ciphers.map((c) => c.name), p.protocol).toEqual([fullList.ciphers[0].name]);
      expect(p).toMatchObject({ complete: false, untestedReason: 'quick scan: the preferred cipher only' });
      expect(p.untested.length).toBe(p.candidates - 1);
    }
    expect(quick.certificates.find((c) => c.requested === 'rsa')?.leaf?.sha256).toBe(full.certificates.find((c) => c.requested === 'rsa')?.leaf?.sha256);
    expect(quick.features.starttlsInjection).toBe('not-vulnerable');
    expect(quick.groups.every((g) => g.accepted === null && g.untestedReason === 'quick scan: not tested')).toBe(true);
    expect(quick.features.untested).toMatchObject({ fallbackScsv: 'quick scan: not tested', heartbleed: 'quick scan: not tested' });
    expect(quick.attempts.connections).toBeLessThanOrEqual(10);
    expect(quick.incomplete).toBe(false);
    expect(codes(quick)).toContain('protocol-tlsv1');
  });
});
