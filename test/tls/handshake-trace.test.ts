// The handshake trace against openssl s_client on the same server: the signature type and
// digest it prints ("Peer signature type: RSA-PSS", "Peer signing digest: SHA256") must be what
// the trace read from ServerKeyExchange (TLS <= 1.2) or the decrypted CertificateVerify (TLS 1.3),
// for every TLS 1.3 record protection and the TLS 1.2 key exchanges; a CertificateRequest is
// seen in both versions; RSA key transport has no signature.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { upgradeToTls } from '../../src/tls/upgrade.js';
import { negotiatedFacts, traceFacts } from '../../src/tls/negotiated.js';
import { handshakeTraceOf } from '../../src/tls/handshake-trace.js';
import { ProbeError } from '../../src/errors.js';

let pki: Pki;
const servers: tls.Server[] = [];
beforeAll(async () => {
  pki = await createPki();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

async function serve(options: tls.TlsOptions): Promise<number> {
  const server = tls.createServer({ ...options, sessionIdContext: 'trace-test' }, (s) => {
    s.on('error', () => {});
    s.end('220 traced\r\n');
  });
  server.on('tlsClientError', () => {});
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as net.AddressInfo).port;
}

/** What openssl s_client prints about the server's signature, with the same client offer. */
function sClient(port: number, args: string[]): Promise<{ type: string | null; digest: string | null; protocol: string | null }> {
  return new Promise((resolve) => {
    const p = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', TEST_HOST, ...args], { timeout: 10_000 }, (_err, stdout, stderr) => {
      const out = `${stdout}${stderr}`;
      resolve({
        type: /^Peer signature type: (\S+)/m.exec(out)?.[1] ?? null,
        digest: /^Peer signing digest: (\S+)/m.exec(out)?.[1] ?? null,
        // "New, TLSv1.0, Cipher is" names the cipher's version; the session block the negotiated one.
        protocol: /^\s*Protocol\s*: (\S+)/m.exec(out)?.[1] ?? null,
      });
    });
    p.stdin?.end();
  });
}

async function traced(port: number, client: tls.ConnectionOptions = {}) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const secure = await upgradeToTls(socket, {
    servername: TEST_HOST, timeoutMs: 5_000, phase: 'handshake', mode: 'implicit', trace: true,
    secureContext: tls.createSecureContext({ ...client, ciphers: client.ciphers ?? 'ALL:@SECLEVEL=0' }),
  });
  try {
    const trace = handshakeTraceOf(secure)!;
    const facts = negotiatedFacts(secure, TEST_HOST);
    // The traced socket still carries the conversation.
    const greeting = await new Promise<string>((r) => {
      let text = '';
      secure.on('data', (d: Buffer) => (text += d));
      secure.once('end', () => r(text));
    });
    return { trace, facts, greeting };
  } finally {
    secure.destroy();
  }
}

const rsa = () => ({ key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem });
const ecdsa = () => ({ key: pki.leaves.ecdsa.keyPem, cert: pki.leaves.ecdsa.chainPem });

describe('handshake trace: the server signature, as openssl s_client reports it', () => {
  it.each([
    ['TLS_AES_256_GCM_SHA384', 'rsa'],
    ['TLS_AES_128_GCM_SHA256', 'rsa'],
    ['TLS_CHACHA20_POLY1305_SHA256', 'ecdsa'],
    ['TLS_AES_128_CCM_SHA256', 'rsa'],
    ['TLS_AES_128_CCM_8_SHA256', 'ecdsa'],
  ] as const)('TLS 1.3 %s, %s key: CertificateVerify decrypted', async (suite, key) => {
    const port = await serve({ ...(key === 'rsa' ? rsa() : ecdsa()), minVersion: 'TLSv1.3', ciphers: suite });
    const ours = await traced(port, { ciphers: suite });
    const theirs = await sClient(port, ['-tls1_3', '-ciphersuites', suite]);
    expect(ours.facts.cipher.standardName).toBe(suite);
    expect(ours.trace.error).toBeNull();
    expect(ours.trace.messages).toEqual(expect.arrayContaining([2, 8, 11, 15, 20]));
    expect(theirs.type).not.toBeNull();
    expect(ours.facts.peerSignature).toMatchObject({ type: theirs.type, digest: theirs.digest });
    expect(ours.greeting).toBe('220 traced\r\n');
  });

  it.each([
    ['ECDHE-RSA-AES128-GCM-SHA256', 'rsa', 'TLSv1.2'],
    ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ecdsa', 'TLSv1.2'],
    ['DHE-RSA-AES256-GCM-SHA384', 'rsa', 'TLSv1.2'],
    ['ECDHE-RSA-AES128-SHA', 'rsa', 'TLSv1.1'],
    ['ECDHE-ECDSA-AES128-SHA', 'ecdsa', 'TLSv1'],
  ] as const)('%s (%s key) at %s: ServerKeyExchange', async (cipher, key, version) => {
    const port = await serve({ ...(key === 'rsa' ? rsa() : ecdsa()), minVersion: version, maxVersion: version, ciphers: `${cipher}:@SECLEVEL=0`, dhparam: 'auto' });
    const ours = await traced(port, { minVersion: version, maxVersion: version, ciphers: `${cipher}:@SECLEVEL=0` });
    const flag = { TLSv1: '-tls1', 'TLSv1.1': '-tls1_1', 'TLSv1.2': '-tls1_2' }[version];
    const theirs = await sClient(port, [flag, '-cipher', `${cipher}:@SECLEVEL=0`]);
    expect(ours.facts.protocol).toBe(version);
    expect(theirs.protocol).toBe(version);
    expect(ours.trace.error).toBeNull();
    expect(ours.facts.peerSignature).toMatchObject({ type: theirs.type, digest: theirs.digest });
  });

  it('TLS 1.2 with an RSA-PSS-only client: the PSS scheme is named', async () => {
    const port = await serve({ ...rsa(), maxVersion: 'TLSv1.2' });
    const ours = await traced(port, { maxVersion: 'TLSv1.2', sigalgs: 'rsa_pss_rsae_sha384' });
    expect(ours.facts.peerSignature).toEqual({ scheme: 0x0805, name: 'rsa_pss_rsae_sha384', type: 'RSA-PSS', digest: 'SHA384' });
  });

  it('RSA key transport: no server signature; the trace says null, as s_client prints none', async () => {
    const port = await serve({ ...rsa(), maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' });
    const ours = await traced(port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256' });
    const theirs = await sClient(port, ['-tls1_2', '-cipher', 'AES128-GCM-SHA256']);
    expect(theirs.type).toBeNull();
    expect(ours.facts.peerSignature).toBeNull();
    expect(ours.trace.error).toBeNull();
  });

  it.each(['TLSv1.2', 'TLSv1.3'] as const)('a CertificateRequest is seen at %s', async (version) => {
    const port = await serve({ ...rsa(), minVersion: version, maxVersion: version, requestCert: true, rejectUnauthorized: false });
    const ours = await traced(port, { minVersion: version, maxVersion: version });
    expect(ours.facts.certificateRequested).toBe(true);
    const plain = await serve({ ...rsa(), minVersion: version, maxVersion: version });
    expect((await traced(plain, { minVersion: version, maxVersion: version })).facts.certificateRequested).toBe(false);
  });

  it('an untraced upgrade has no trace and no such fields', async () => {
    const port = await serve(rsa());
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const secure = await upgradeToTls(socket, { servername: TEST_HOST, timeoutMs: 5_000, phase: 'handshake', mode: 'implicit', secureContext: tls.createSecureContext({}) });
    expect(handshakeTraceOf(secure)).toBeNull();
    expect(negotiatedFacts(secure, TEST_HOST)).not.toHaveProperty('peerSignature');
    secure.destroy();
  });

  it('a handshake failure through the trace keeps its classification and alert', async () => {
    const port = await serve({ ...rsa(), minVersion: 'TLSv1.3' });
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const err = await upgradeToTls(socket, {
      servername: TEST_HOST, timeoutMs: 5_000, phase: 'handshake', mode: 'implicit', trace: true,
      secureContext: tls.createSecureContext({ maxVersion: 'TLSv1.2' }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect((err as ProbeError).toInfo()).toMatchObject({ phase: 'handshake', code: 'tls-handshake', tlsAlert: { description: 70, name: 'protocol_version' } });
  });
});

describe('a partial trace reports what it saw, never "none" for what it could not read', () => {
  const signature = { scheme: 0x0804, name: 'rsa_pss_rsae_sha256', type: 'RSA-PSS', digest: 'SHA256' };
  it.each([
    ['whole, no signature, no request', { signature: null, certificateRequested: false, messages: [2, 11, 14], error: null }, { peerSignature: null, certificateRequested: false }],
    ['partial, nothing seen', { signature: null, certificateRequested: false, messages: [2], error: 'cannot decrypt X' }, { handshakeTraceError: 'cannot decrypt X' }],
    ['partial, the request seen', { signature: null, certificateRequested: true, messages: [2, 13], error: 'malformed ServerKeyExchange' }, { certificateRequested: true, handshakeTraceError: 'malformed ServerKeyExchange' }],
    ['partial, the signature seen', { signature, certificateRequested: false, messages: [2, 15], error: 'handshake flight unreadable: x' }, { peerSignature: signature, handshakeTraceError: 'handshake flight unreadable: x' }],
  ])('%s', (_, trace, facts) => {
    expect(traceFacts(trace)).toStrictEqual(facts);
  });
  it('no trace: no such fields', () => {
    expect(traceFacts(null)).toStrictEqual({});
  });
});

