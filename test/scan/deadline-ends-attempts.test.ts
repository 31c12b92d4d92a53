// DESIGN.md: "--deadline caps a whole probe. No input, however slow or silent, keeps mxprobe
// running past its deadlines"; `scan DEST` is "bounded in time". The deadline ends attempts that
// are already waiting (a tarpit that accepts and never greets), not only the ones not started.
import { afterAll, expect, test } from 'vitest';
import { startRawServer, type RawServer } from '../../fixtures/raw-server.js';
import { scan } from '../../src/scan/scan.js';

let server: RawServer | undefined;
afterAll(async () => {
  await server?.close();
});

test('scan --deadline 500ms against a silent server returns near the deadline, not after the banner timeouts', async () => {
  server = await startRawServer(async (io) => {
    await io.sleep(15_000); // accept, never greet
  }, { socketTimeoutMs: 20_000 });
  const started = Date.now();
  const result = await scan(`[127.0.0.1]:${server.port}`, {
    ehlo: 'client.test.example', connectTimeoutMs: 2000, timeoutMs: 6000, bannerTimeoutMs: 6000, tlsTimeoutMs: 2000, deadlineMs: 500,
  });
  const elapsed = Date.now() - started;
  expect(result.error).not.toBeNull();
  // Generous: 8× the deadline. Today it takes ~6.2 s (the whole banner timeout).
  expect(elapsed).toBeLessThan(4000);
}, 30_000);
