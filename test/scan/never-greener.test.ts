// A scan is never greener than a probe of the same server. A port that offers TLS and fails
// every handshake with internal_error (OpenSMTPD 6.8 on OpenSSL 3, fixtures/scan/tls-failing-server.ts)
// is CRITICAL `tls-handshake` with the alert and phase, on a STARTTLS port and an smtps port, for
// the scan as for the probe; no unit of that scan reads as refused.
import { describe, expect, it } from 'vitest';
import { probe } from '../../src/index.js';
import { scan } from '../../src/scan/index.js';
import { startTlsFailingServer } from '../../fixtures/scan/tls-failing-server.js';
import { SCAN_SHORT, codes, useScanFixtures } from './helpers.js';

const fx = useScanFixtures();
const PROBE_SHORT = { servername: 'mx.test.example', ehlo: 'client.test.example', connectTimeoutMs: 3000, timeoutMs: 3000, bannerTimeoutMs: 3000, tlsTimeoutMs: 3000, deadlineMs: 15_000 };

describe('a server that offers TLS and fails every handshake (alert 80)', () => {
  it.each([
    ['STARTTLS', false, (p: number) => `[127.0.0.1]:${p}`],
    ['smtps', true, (p: number) => `smtps://127.0.0.1:${p}`],
  ] as const)('%s port: the scan is CRITICAL tls-handshake with the alert, like the probe', async (_name, implicit, destOf) => {
    const server = await startTlsFailingServer({ implicit });
    fx.track(server.close);
    const [r, p] = await Promise.all([scan(destOf(server.port), SCAN_SHORT), probe(destOf(server.port), { ...PROBE_SHORT, level: 'encrypt' })]);
    expect(r.status).toBe('critical');
    expect(r.error).toMatchObject({ phase: 'handshake', code: 'tls-handshake', tlsAlert: { description: 80, name: 'internal_error' } });
    expect(r.error?.message).toMatch(/no TLS version completes a handshake/);
    expect(r.findings[0]).toMatchObject({ severity: 'critical', code: 'tls-handshake' });
    // The probe of the same port fails the same way.
    expect(p.status).toBe('critical');
    expect(p.error).toMatchObject({ phase: 'handshake', code: 'tls-handshake', tlsAlert: { description: 80 } });
    expect(codes(r)).toContain(p.error!.code);
    // Nothing the server failed reads as refused: TLS versions are untested, with the alert as why.
    for (const v of r.protocols.filter((x) => x.protocol.startsWith('TLS'))) {
      expect(v, v.protocol).toMatchObject({ accepted: null, complete: false });
      expect(v.untestedReason).toBe('the server failed the handshake (alert 80 internal_error)');
    }
    expect(r.protocols.some((x) => x.accepted === true)).toBe(false);
    expect(r.groups.every((g) => g.accepted === null)).toBe(true);
  });

  it('a handshake refused for what was offered (handshake_failure) is still a failed scan, not OK', async () => {
    const server = await startTlsFailingServer({ alert: 40 });
    fx.track(server.close);
    const r = await scan(`[127.0.0.1]:${server.port}`, SCAN_SHORT);
    expect(r.status).toBe('critical');
    expect(r.error).toMatchObject({ phase: 'handshake', code: 'tls-handshake', tlsAlert: { description: 40, name: 'handshake_failure' } });
    // Here the versions were refused, so they say so.
    expect(r.protocols.filter((x) => x.protocol.startsWith('TLS')).map((x) => x.accepted)).toEqual([false, false, false, false]);
  });
});
