// Shared set-up for the scan tests: the PKI once per file, fixture servers closed after the file,
// scan options with short deadlines (a loaded CI machine still finishes, nothing can hang).
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startScanFixture, type ScanFixture } from '../../fixtures/scan/tls-smtp-server.js';
import { scanFixtureOptions, type ScanFixtureName } from '../../fixtures/scan/configs.js';
import type { ScanOptions, ScanProtocolName, ScanResult } from '../../src/types.js';

export const SCAN_SHORT: ScanOptions = { ehlo: 'client.test.example', servername: TEST_HOST, connectTimeoutMs: 3000, timeoutMs: 3000, bannerTimeoutMs: 3000, tlsTimeoutMs: 3000, deadlineMs: 30_000 };

export function useScanFixtures() {
  const closers: (() => Promise<void>)[] = [];
  let pki: Promise<Pki> | null = null;
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
    // The PKI's keys go with the file's servers, not at process exit (which vitest workers skip).
    if (pki) rmSync((await pki).dir, { recursive: true, force: true });
  });
  return {
    pki: () => (pki ??= createPki()),
    async start(name: ScanFixtureName): Promise<ScanFixture> {
      const f = await startScanFixture(scanFixtureOptions(name, await this.pki()));
      closers.push(f.close);
      return f;
    },
    track(close: () => Promise<void>) {
      closers.push(close);
    },
  };
}

export const accepted = (r: ScanResult, p: ScanProtocolName): string[] => r.protocols.find((x) => x.protocol === p)?.ciphers.map((c) => c.name) ?? [];
export const protocolsOf = (r: ScanResult): string[] => r.protocols.filter((p) => p.accepted).map((p) => p.protocol);
export const codes = (r: ScanResult): string[] => r.findings.map((f) => f.code);
