// mxprobe against a real Exim (Debian's 4.96, GnuTLS), cross-checked like the Postfix tests:
// the probe's protocol and cipher and the server signature (handshake trace) against openssl
// s_client; the scan's protocol / cipher / group / Heartbleed / fallback sets against sslscan
// on a twin daemon without a session cap (sslscan itself trips over Exim's cap: it answers
// 421 and sslscan calls the port "not an SMTP service"). On Exim's default cap (20) and on a
// cap of 4, where the scan must take the adaptive path, every run ends complete with the same
// sets.
import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startExim, type EximInstance } from '../../fixtures/exim/instance.js';
import { runSClient } from '../../fixtures/postfix/sclient.js';
import { hasSslscan, runSslscan, type SslscanFacts } from '../../fixtures/scan/sslscan.js';
import { probe } from '../../src/index.js';
import { scan } from '../../src/scan/index.js';
import { GROUP_IDS } from '../../src/scan/raw-hello.js';
import { upgradeToTls } from '../../src/tls/upgrade.js';
import { negotiatedFacts } from '../../src/tls/negotiated.js';
import type { ScanResult } from '../../src/types.js';
import { describeExim } from './guard.js';

const SHORT = { connectTimeoutMs: 5000, timeoutMs: 5000, bannerTimeoutMs: 5000, tlsTimeoutMs: 5000 };
const SCAN = { ...SHORT, servername: TEST_HOST, ehlo: 'client.test.example', deadlineMs: 60_000 };
const sets = (r: ScanResult) => Object.fromEntries(r.protocols.filter((p) => p.accepted).map((p) => [p.protocol, new Set(p.ciphers.map((c) => c.name))]));

/** openssl s_client's "Peer signature type" / "Peer signing digest" and protocol/cipher. */
function sClientSignature(port: number, args: string[]): Promise<{ type: string | null; digest: string | null; protocol: string | null; cipher: string | null }> {
  return new Promise((resolve) => {
    const p = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', TEST_HOST, ...args], { timeout: 15_000 }, (_e, stdout, stderr) => {
      const out = `${stdout}${stderr}`;
      resolve({
        type: /^Peer signature type: (\S+)/m.exec(out)?.[1] ?? null,
        digest: /^Peer signing digest: (\S+)/m.exec(out)?.[1] ?? null,
        protocol: /^\s*Protocol\s*: (\S+)/m.exec(out)?.[1] ?? null,
        cipher: /^\s*Cipher\s*: (\S+)/m.exec(out)?.[1] ?? null,
      });
    });
    p.stdin?.end();
  });
}

describeExim('real Exim (GnuTLS): mxprobe vs openssl s_client and sslscan', () => {
  let pki: Pki;
  let free: EximInstance;
  let stock: EximInstance;
  let capped: EximInstance;
  let reference: SslscanFacts | null = null;
  let caFile: string;

  beforeAll(async () => {
    pki = await createPki();
    // smtp_accept_max = 0: no cap (the reference for sslscan); unset: Exim's 20; 4: the adaptive path for sure.
    [free, stock, capped] = await Promise.all([startExim({ pki, smtpAcceptMax: 0 }), startExim({ pki }), startExim({ pki, smtpAcceptMax: 4 })]);
    console.log(`private Exim ${stock.version} started in ${stock.startMs} ms`);
    caFile = `${free.dir}/root.pem`;
    writeFileSync(caFile, pki.root.pem);
    if (await hasSslscan()) reference = await runSslscan(free.starttlsPort);
    else if (process.env.CI) throw new Error('sslscan is required in CI (apt-get install sslscan)');
  }, 120_000);

  afterAll(async () => {
    await Promise.all([free, stock, capped].filter(Boolean).map((e) => e.stop()));
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('the probe agrees with openssl s_client: trusted, TLS 1.3, the same cipher, on STARTTLS and SMTPS', async () => {
    for (const [port, implicit] of [[stock.starttlsPort, false], [stock.smtpsPort, true]] as const) {
      const dest = implicit ? `smtps://127.0.0.1:${port}` : `[127.0.0.1]:${port}`;
      const [p, s] = await Promise.all([
        probe(dest, { ...SHORT, servername: TEST_HOST, ca: pki.root.pem, ehlo: 'client.test.example', deadlineMs: 20_000 }),
        runSClient({ openssl: 'openssl', port, caFile, servername: TEST_HOST, implicit, verifyHostname: true }),
      ]);
      expect(p.error, dest).toBeNull();
      expect(p.status).toBe('ok');
      expect(s.trusted).toBe(true);
      expect(p.verification?.trusted).toBe(true);
      expect(p.tls?.protocol).toBe(s.protocol);
      expect(p.tls?.cipher.standardName).toBe(s.cipher);
    }
  });

  it.each([['TLSv1.3', '-tls1_3'], ['TLSv1.2', '-tls1_2'], ['TLSv1', '-tls1']] as const)('the handshake trace names the signature GnuTLS made at %s, as s_client does', async (version, flag) => {
    const socket = net.connect(stock.smtpsPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const secure = await upgradeToTls(socket, {
      servername: TEST_HOST, timeoutMs: 5_000, phase: 'handshake', mode: 'implicit', trace: true,
      secureContext: tls.createSecureContext({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' }),
    });
    const facts = negotiatedFacts(secure, TEST_HOST);
    secure.destroy();
    const theirs = await sClientSignature(stock.smtpsPort, [flag, ...(version === 'TLSv1' ? ['-cipher', 'DEFAULT:@SECLEVEL=0'] : [])]);
    expect(facts.protocol).toBe(version);
    expect(theirs.type).not.toBeNull();
    expect(facts.peerSignature).toMatchObject({ type: theirs.type, digest: theirs.digest });
  });

  it.each([
    ['Exim\'s default cap (20)', () => stock.starttlsPort, false],
    ['the SMTPS port', () => stock.smtpsPort, true],
    ['a cap of 4 sessions', () => capped.starttlsPort, false],
  ] as const)('scan on %s: complete, and the same sets as sslscan', async (_name, port, implicit) => {
    const r = await scan(implicit ? `smtps://127.0.0.1:${port()}` : `[127.0.0.1]:${port()}`, SCAN);
    expect(r.error, JSON.stringify(r.error)).toBeNull();
    expect(r.incomplete).toBe(false);
    for (const p of r.protocols) expect(p, p.protocol).toMatchObject({ complete: true, untested: [] });
    expect(r.groups.every((g) => g.accepted !== null)).toBe(true);
    expect(Object.values(r.features.untested).filter((why) => !why!.startsWith('not applicable'))).toEqual([]);
    expect(r.negotiated?.peerSignature).toMatchObject({ type: 'RSA-PSS', digest: 'SHA256' });
    expect(r.certificates.find((c) => c.requested === 'rsa')?.leaf?.sha256).toBe(pki.leaves.good.sha256);
    if (port() === capped.starttlsPort) expect(r.attempts.adaptive).toBe(true);
    if (!reference) return;
    expect(reference.errors).toEqual([]);
    expect(sets(r)).toEqual(Object.fromEntries(Object.entries(reference.ciphers).map(([p, cs]) => [p, new Set(cs)])));
    expect(new Set(r.groups.filter((g) => g.accepted).map((g) => GROUP_IDS[g.name]))).toEqual(new Set(reference.groups['TLSv1.3']));
    expect(Object.fromEntries(r.features.heartbleed.map((h) => [h.protocol, h.vulnerable]))).toEqual(
      Object.fromEntries(Object.entries(reference.heartbleed).filter(([p]) => p !== 'TLSv1.3')),
    );
    expect(r.features.fallbackScsv).toBe(reference.fallbackScsv);
  }, 60_000);
});
