// The relay comparison's verdicts for the cases the Postfix test does not reach: a session
// without the certificate that ends before RCPT, a certificate that makes no difference, and a
// probe that never got to RCPT (then no second connection is made).
import { describe, expect, it } from 'vitest';
import { compareRelay } from '../../src/relay-comparison.js';
import type { CommandReply, ProbeErrorInfo, ProbeResult } from '../../src/types.js';

const rcpt = (code: number, text = 'Ok'): CommandReply => ({ command: 'RCPT TO:<bob@elsewhere.example>', code, enhanced: code === 250 ? '2.1.5' : '5.7.1', text });
const result = (replies: CommandReply[], error: ProbeErrorInfo | null = null) =>
  ({ smtp: { replies: [{ command: 'MAIL FROM:<>', code: 250, enhanced: '2.1.0', text: 'Ok' }, ...replies] }, findings: [], error }) as unknown as ProbeResult;

describe('compareRelay', () => {
  it('no RCPT in the probe\'s own session: no second connection, nothing recorded', async () => {
    const r = result([]);
    let connections = 0;
    await compareRelay(r, async () => {
      connections++;
      return result([rcpt(250)]);
    });
    expect(connections).toBe(0);
    expect(r.relay).toBeUndefined();
  });

  it('accepted both ways: the certificate makes no difference', async () => {
    const r = result([rcpt(250)]);
    await compareRelay(r, async () => result([rcpt(250)]));
    expect(r.relay?.permittedByCertificate).toBe(false);
    expect(r.findings[0].message).toMatch(/^the client certificate makes no difference to the relay: RCPT with the certificate 250 2\.1\.5 Ok; without it 250 2\.1\.5 Ok$/);
  });

  it('refused even with the certificate', async () => {
    const r = result([rcpt(554, 'Relay access denied')]);
    await compareRelay(r, async () => result([rcpt(554, 'Relay access denied')]));
    expect(r.relay?.permittedByCertificate).toBe(false);
  });

  it('the session without the certificate ended before RCPT: not comparable, its error kept', async () => {
    const r = result([rcpt(250)]);
    const error: ProbeErrorInfo = { phase: 'handshake', code: 'tls-handshake', message: 'TLS handshake failed: certificate required' };
    await compareRelay(r, async () => result([], error));
    expect(r.relay).toEqual({ withCertificate: [rcpt(250)], withoutCertificate: [], withoutCertificateError: error, permittedByCertificate: null });
    expect(r.findings[0]).toMatchObject({ code: 'relay-comparison', severity: 'info', message: expect.stringContaining('without it not reached (TLS handshake failed: certificate required)') });
  });
});
