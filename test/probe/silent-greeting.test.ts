// A STARTTLS port that sends nothing: after SILENT_GREETING_MS the caller hears of it once (the
// CLI tells a person about --implicit), while the probe keeps waiting and sends not one byte.
import { describe, expect, it } from 'vitest';
import { startRawServer } from '../../fixtures/raw-server.js';
import { probe } from '../../src/probe.js';
import { SILENT_GREETING_MS } from '../../src/conversation.js';
import { renderSilentGreeting } from '../../src/report/messages.js';

describe('silence explained', () => {
  it('calls onSilentGreeting once after 5 s, sends nothing, then times out as before', async () => {
    // The probe's own connection (the first): after the banner timeout a second one tries TLS
    // (the implicit-TLS diagnosis), which is not the probe's session.
    let received = 0;
    let connections = 0;
    const server = await startRawServer(async (io) => {
      if (connections++ === 0) io.raw.on('data', (d: Buffer) => (received += d.length));
      await io.sleep(SILENT_GREETING_MS + 2500);
    }, { socketTimeoutMs: 20_000 });
    try {
      const calls: { at: number; port: number }[] = [];
      const started = Date.now();
      const r = await probe(`[127.0.0.1]:${server.port}`, {
        bannerTimeoutMs: SILENT_GREETING_MS + 1500, connectTimeoutMs: 2000, tlsTimeoutMs: 300,
        onSilentGreeting: (t) => calls.push({ at: Date.now() - started, port: t.port }),
      });
      expect(calls).toHaveLength(1);
      expect(calls[0].port).toBe(server.port);
      expect(calls[0].at).toBeGreaterThanOrEqual(SILENT_GREETING_MS - 50);
      expect(r.error).toMatchObject({ phase: 'banner', code: 'timeout' });
      expect(received).toBe(0);
    } finally {
      await server.close();
    }
  }, 20_000);

  it('the notice names the port and the way out, and escapes what DNS gave', () => {
    expect(renderSilentGreeting('mx\u001b[2J.example', '192.0.2.1', 465, 60_000)).toBe(
      'mxprobe: mx\\x1b[2J.example[192.0.2.1]:465 has sent no SMTP greeting yet; waiting up to 60 s. An implicit-TLS port (smtps, usually 465) waits for TLS first: use --implicit or smtps://HOST:465\n',
    );
  });
});
