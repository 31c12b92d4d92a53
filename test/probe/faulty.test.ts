// Never trust the server: each faulty fixture ends the probe with the documented
// {phase, code}, quickly, and a botched connection gets nothing more from us.
import { closedPort } from '../../fixtures/closed-port.js';
import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { ehloLines, longBanner, type FaultyName } from '../../fixtures/faulty-servers.js';
import type { Pki } from '../../fixtures/pki.js';
import type { ErrorCode, Phase, ProbeOptions } from '../../src/types.js';
import { options, probePort, SHORT, useFixtures } from './helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

interface Case {
  name: FaultyName;
  phase: Phase;
  code: ErrorCode;
  extra?: ProbeOptions;
  /** What the client may have sent before it stopped (plaintext, verbs in order). */
  sent?: string[];
  /** A deadline had to expire: the probe took at least this long. */
  slow?: boolean;
  /** TCP connections the probe may open (DESIGN.md "one job, at most one connection"). */
  connections?: number;
}

const cases: Case[] = [
  // a silent port may be an implicit-TLS one; finding out may cost a second connection
  { name: 'silent', phase: 'banner', code: 'timeout', sent: [], slow: true, connections: 2 },
  { name: 'oneBytePerSecond', phase: 'banner', code: 'timeout', sent: [], slow: true },
  { name: 'binaryGarbage', phase: 'banner', code: 'protocol-violation', sent: [] },
  { name: 'hugeLine', phase: 'banner', code: 'protocol-violation', sent: [] },
  { name: 'closeAtAccept', phase: 'banner', code: 'closed', sent: [] },
  { name: 'resetAtAccept', phase: 'banner', code: 'reset', sent: [] },
  { name: 'httpBanner', phase: 'banner', code: 'not-smtp', sent: [] },
  { name: 'sshBanner', phase: 'banner', code: 'not-smtp', sent: [] },
  { name: 'tlsOnStarttlsPort', phase: 'banner', code: 'implicit-tls-suspected', slow: true, connections: 2 },
  { name: 'endlessMultiline', phase: 'ehlo', code: 'protocol-violation', sent: ['EHLO'] },
  { name: 'mixedCodes', phase: 'ehlo', code: 'protocol-violation', sent: ['EHLO'] },
  { name: 'nonNumericCode', phase: 'ehlo', code: 'protocol-violation', sent: ['EHLO'] },
  { name: 'tooManyLines', phase: 'ehlo', code: 'protocol-violation', sent: ['EHLO'] },
  { name: 'injectionAfterStarttls', phase: 'starttls', code: 'starttls-injection', sent: ['EHLO', 'STARTTLS'] },
  { name: 'silentAfterStarttls', phase: 'handshake', code: 'timeout', slow: true },
  { name: 'resetMidHandshake', phase: 'handshake', code: 'reset' },
  { name: 'garbageAfterStarttls', phase: 'handshake', code: 'tls-handshake' },
  { name: 'plaintextOnImplicitPort', phase: 'handshake', code: 'plaintext-on-implicit-port', extra: { implicit: true } },
];

/** Verbs of the plaintext commands a connection carried ("EHLO x\r\nQUIT\r\n" → ["EHLO", "QUIT"]). */
const verbs = (text: string | undefined) =>
  (text ?? '').split('\r\n').filter(Boolean).map((l) => l.split(' ')[0].toUpperCase());

describe('faulty servers', () => {
  it.each(cases)('$name → $phase/$code', async (c) => {
    const s = await fx.faulty(c.name);
    const r = await probePort(s.port, options(pki, c.extra));
    expect(r.error).toMatchObject({ phase: c.phase, code: c.code });
    expect(r.error!.message.length).toBeGreaterThan(0);
    expect(r.status).toBe('critical');
    // deadlines are 2 s: nothing may keep the probe much longer than one of them
    expect(r.elapsedMs).toBeLessThan(SHORT.bannerTimeoutMs + 1500);
    if (c.slow) expect(r.elapsedMs).toBeGreaterThanOrEqual(SHORT.bannerTimeoutMs - 100);
    else expect(r.elapsedMs).toBeLessThan(1000);
    if (c.sent) {
      // a botched connection stays botched: no QUIT (or anything else) after the fault
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(verbs(s.plaintext[0])).toEqual(c.sent);
    }
    expect(s.connections).toBeLessThanOrEqual(c.connections ?? 1);
  });

  // DESIGN.md bounds: lines <= 8 KiB, <= 1000 lines and <= 64 KiB per reply; just inside passes
  it.each([
    ['8000-byte banner line', () => longBanner(8000), null],
    ['9000-byte banner line', () => longBanner(9000), { phase: 'banner', code: 'protocol-violation' }],
    ['EHLO reply of 1000 lines', () => ehloLines(1000), null],
    ['EHLO reply of 1001 lines', () => ehloLines(1001), { phase: 'ehlo', code: 'protocol-violation' }],
    ['EHLO reply of 150 x 400 bytes (60 KB)', () => ehloLines(150, 400), null],
    ['EHLO reply of 200 x 400 bytes (80 KB)', () => ehloLines(200, 400), { phase: 'ehlo', code: 'protocol-violation' }],
  ] as const)('bounds: %s', async (_name, script, error) => {
    const s = await fx.raw(script());
    const r = await probePort(s.port, options(pki, { level: 'may' }));
    if (error) {
      expect(r.error).toMatchObject(error);
      expect(r.status).toBe('critical');
    } else {
      expect(r.error).toBeNull();
      expect(r.smtp.banner?.code).toBe(220);
      expect(r.status).toBe('warning'); // no STARTTLS offered, level may
      await expect.poll(() => verbs(s.plaintext[0]).at(-1)).toBe('QUIT');
    }
  });

  it('timeout message names the phase and the deadline', async () => {
    const s = await fx.faulty('silent');
    const r = await probePort(s.port, options(pki, { bannerTimeoutMs: 300, tlsTimeoutMs: 300 }));
    expect(r.error).toMatchObject({ phase: 'banner', code: 'timeout' });
    expect(r.error!.message).toMatch(/banner/);
    expect(r.error!.message).toMatch(/300/);
    expect(r.elapsedMs).toBeLessThan(1200);
    expect(r.timingMs.total).toBeGreaterThanOrEqual(290);
  });

  it('deadlineMs caps the whole probe even when each phase deadline is longer', async () => {
    const s = await fx.faulty('oneBytePerSecond');
    const r = await probePort(s.port, options(pki, { bannerTimeoutMs: 30_000, timeoutMs: 30_000, deadlineMs: 700 }));
    expect(r.error?.code).toBe('timeout');
    expect(r.elapsedMs).toBeLessThan(1500);
  });

  it('injected bytes never reach TLS: the probe stops before the handshake', async () => {
    const s = await fx.faulty('injectionAfterStarttls');
    const r = await probePort(s.port, options(pki));
    expect(r.tls).toBeNull();
    expect(r.certificates).toEqual([]);
    expect(r.smtp.ehloTls).toBeNull();
    expect(r.smtp.starttls.reply?.code).toBe(220);
  });

  it('connection refused: phase connect, code refused', async () => {
    const r = await probePort(await closedPort(), options(pki));
    expect(r.error).toMatchObject({ phase: 'connect', code: 'refused' });
    expect(r.status).toBe('critical');
    expect(r.tls).toBeNull();
  });

  it('an aborted signal ends the probe at once', async () => {
    const s = await fx.faulty('silent');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await probePort(s.port, options(pki, { signal: ac.signal, bannerTimeoutMs: 30_000, deadlineMs: 30_000 }));
    expect(r.error?.code).toBe('aborted');
    expect(r.elapsedMs).toBeLessThan(1000);
  });
});
