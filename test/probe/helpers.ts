// Shared set-up for the probe integration tests: the PKI, fixture servers that are
// closed after each file, and probe options with short deadlines so nothing hangs.
import type tls from 'node:tls';
import { afterAll } from 'vitest';
import { createPki, TEST_HOST, type Pki, type PkiLeaf } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture, type SmtpFixtureOptions } from '../../fixtures/smtp-fixture.js';
import { startRawServer, type RawServer, type Script } from '../../fixtures/raw-server.js';
import { faultyScripts, type FaultyName } from '../../fixtures/faulty-servers.js';
import { probe } from '../../src/index.js';
import type { Finding, ProbeOptions, ProbeResult } from '../../src/types.js';

export { TEST_HOST };
export const EHLO_NAME = 'client.test.example';

/** Deadlines short enough for a fast suite, long enough for a loaded CI machine. */
export const SHORT = { connectTimeoutMs: 2000, timeoutMs: 2000, bannerTimeoutMs: 2000, tlsTimeoutMs: 2000, deadlineMs: 10_000 } as const;

export const dest = (port: number) => `[127.0.0.1]:${port}`;

/** Registers an afterAll that closes every server the file started. */
export function useFixtures() {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
  });
  return {
    pki: () => createPki(),
    async smtp(o: SmtpFixtureOptions): Promise<SmtpFixture> {
      const s = await startSmtpFixture(o);
      closers.push(s.close);
      return s;
    },
    async raw(script: Script): Promise<RawServer> {
      const s = await startRawServer(script);
      closers.push(s.close);
      return s;
    },
    async faulty(name: FaultyName, leaf?: PkiLeaf): Promise<RawServer> {
      const pki = await createPki();
      const l = leaf ?? pki.leaves.good;
      const tlsOptions: tls.TlsOptions = { key: l.keyPem, cert: l.chainPem };
      return this.raw(faultyScripts(tlsOptions)[name]);
    },
  };
}

/** Probe options for a fixture: SNI/name mx.test.example, the test root as the only anchor. */
export function options(pki: Pki, extra: ProbeOptions = {}): ProbeOptions {
  return { servername: TEST_HOST, ca: pki.root.pem, ehlo: EHLO_NAME, ...SHORT, ...extra };
}

/** probe() against 127.0.0.1:port, plus how long it took. */
export async function probePort(port: number, opts: ProbeOptions): Promise<ProbeResult & { elapsedMs: number }> {
  const t = Date.now();
  const r = await probe(dest(port), opts);
  return Object.assign(r, { elapsedMs: Date.now() - t });
}

export const finding = (r: ProbeResult, code: string | RegExp): Finding | undefined =>
  r.findings.find((f) => (typeof code === 'string' ? f.code === code : code.test(f.code)));

/** "EHLO client.test.example" → "EHLO"; "MAIL FROM:<a@b>" → "MAIL". */
export const verb = (command: string) => command.split(/[ :]/)[0].toUpperCase();

/** Capability keywords without parameters ("SIZE 10240000" → "SIZE"). */
export const keywords = (caps: string[] | null) => (caps ?? []).map((c) => c.split(' ')[0].toUpperCase());
