// Negotiated TLS facts: protocol pins, implicit TLS, key exchange, SNI, client-cert
// servers, and agreement with `openssl s_client` on the same fixture.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import { probe } from '../../src/index.js';
import { keywords, options, probePort, TEST_HOST, useFixtures } from './helpers.js';

const run = promisify(execFile);
const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

/** openssl s_client -starttls smtp: protocol, cipher and the leaf's SHA-256 as openssl sees them. */
async function sClient(port: number): Promise<{ protocol: string; cipher: string; sha256: string }> {
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('openssl', ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${port}`,
      '-servername', TEST_HOST, '-CAfile', pki.root.path], { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (c: Buffer) => (text += c.toString()));
    const timer = setTimeout(() => p.kill(), 5000);
    p.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    p.on('error', reject);
    p.stdin.end('QUIT\r\n');
  });
  // "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384": printed for every version, unlike the
  // SSL-Session block, which s_client skips for TLS 1.3 when it exits before the ticket
  const [, protocol = '', cipher = ''] = out.match(/^New, (\S+), Cipher is (\S+)/m) ?? [];
  const pem = out.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0] ?? '';
  const fp = await new Promise<string>((resolve, reject) => {
    const p = execFile('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    p.stdin!.end(pem);
  });
  return { protocol, cipher, sha256: fp.trim().replace(/^sha256 Fingerprint=/i, '') };
}

describe('negotiated TLS', () => {
  it.each([
    ['TLSv1.2', 'ECDHE-RSA-AES256-GCM-SHA384'],
    ['TLSv1.3', 'TLS_AES_256_GCM_SHA384'],
  ] as const)('%s-only server, client cipher preference → %s, same as openssl s_client', async (version, cipher) => {
    const f = await fx.smtp({ leaf: pki.leaves.good, minVersion: version, maxVersion: version, honorCipherOrder: false });
    const r = await probePort(f.port, options(pki));
    expect(r.error).toBeNull();
    expect(r.status).toBe('ok');
    expect(r.mode).toBe('starttls');
    expect(r.tls!.protocol).toBe(version);
    // Postfix's medium grade with @STRENGTH puts AES256 first (postconf(5) tls_medium_cipherlist)
    expect(r.tls!.cipher.name).toBe(cipher);
    expect(r.tls!.cipher.bits).toBe(256);
    const s = await sClient(f.port);
    expect({ protocol: r.tls!.protocol, cipher: r.tls!.cipher.name, sha256: r.certificates[0].sha256 }).toEqual(s);
    expect(s.sha256).toBe(pki.leaves.good.sha256);
  });

  it('TLS 1.3: IANA cipher name, X25519 key exchange, SNI sent', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, minVersion: 'TLSv1.3' });
    const r = await probePort(f.port, options(pki));
    expect(r.tls).toMatchObject({ protocol: 'TLSv1.3', servername: TEST_HOST, sessionReused: false });
    expect(r.tls!.cipher.standardName).toBe(r.tls!.cipher.name);
    expect(r.tls!.keyExchange).toMatchObject({ type: 'ECDH', group: 'X25519' });
  });

  it('TLS 1.2 ECDHE-RSA: IANA name differs from the OpenSSL name', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    const r = await probePort(f.port, options(pki));
    expect(r.tls!.cipher).toEqual({ name: 'ECDHE-RSA-AES128-GCM-SHA256', standardName: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', bits: 128 });
  });

  it('no SNI for an IP destination without --servername', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.ip });
    const r = await probePort(f.port, options(pki, { servername: undefined }));
    expect(r.tls!.servername).toBeNull();
    expect(r.verification!.checkedNames).toEqual(['127.0.0.1']);
  });

  it('ECDSA leaf: TLS 1.2 negotiates an ECDHE-ECDSA suite', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.ecdsa, maxVersion: 'TLSv1.2' });
    const r = await probePort(f.port, options(pki));
    expect(r.tls!.cipher.name).toMatch(/^ECDHE-ECDSA-/);
  });

  it('TLS 1.1-only server is accepted (Postfix offers >= TLSv1) and warned about with minTls', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const plain = await probePort(f.port, options(pki));
    expect(plain.tls?.protocol).toBe('TLSv1.1');
    expect(plain.status).toBe('ok');
    const strict = await probePort(f.port, options(pki, { minTls: 'TLSv1.2' }));
    expect(strict.tls?.protocol).toBe('TLSv1.1');
    expect(strict.status).toBe('warning');
  });

  it('protocols that do not overlap: tls-handshake at phase handshake', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, minVersion: 'TLSv1.3' });
    const r = await probePort(f.port, options(pki, { protocols: '<=TLSv1.2' }));
    expect(r.error).toMatchObject({ phase: 'handshake', code: 'tls-handshake' });
    expect(r.status).toBe('critical');
    expect(r.tls).toBeNull();
  });
});

describe('implicit TLS', () => {
  it('implicit option on an smtps fixture', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, implicit: true });
    const r = await probePort(f.port, options(pki, { implicit: true }));
    expect(r.error).toBeNull();
    expect(r.status).toBe('ok');
    expect(r.mode).toBe('implicit');
    expect(r.tls!.protocol).toBe('TLSv1.3');
    expect(r.certificates[0].sha256).toBe(pki.leaves.good.sha256);
    expect(r.smtp.banner?.code).toBe(220);
    expect(keywords([...r.smtp.ehlo, ...(r.smtp.ehloTls ?? [])])).toContain('PIPELINING');
    expect(r.smtp.starttls.reply).toBeNull();
    await expect.poll(() => f.commands.at(-1)).toBe('QUIT');
    expect(f.commands.includes('STARTTLS')).toBe(false);
  });

  it('smtps:// URL means implicit TLS', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, implicit: true });
    const r = await probe(`smtps://127.0.0.1:${f.port}`, options(pki));
    expect(r.mode).toBe('implicit');
    expect(r.port).toBe(f.port);
    expect(r.status).toBe('ok');
  });
});

describe('client certificate required', () => {
  it('TLS 1.2: the handshake fails at phase handshake', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, maxVersion: 'TLSv1.2', requireClientCert: { ca: pki.root.pem } });
    const r = await probePort(f.port, options(pki));
    expect(r.error).toMatchObject({ phase: 'handshake', code: 'tls-handshake' });
    expect(r.status).toBe('critical');
  });

  it('TLS 1.3: the alert arrives after our Finished, still a tls-handshake error', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, minVersion: 'TLSv1.3', requireClientCert: { ca: pki.root.pem } });
    const r = await probePort(f.port, options(pki));
    expect(r.error?.code).toBe('tls-handshake');
    expect(['handshake', 'ehlo-tls']).toContain(r.error?.phase);
    expect(r.status).toBe('critical');
    expect(r.elapsedMs).toBeLessThan(1500);
  });
});
