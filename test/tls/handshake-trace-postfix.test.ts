// The handshake trace against posttls-finger on a real Postfix: its "server-signature RSA-PSS
// (2048 bits) server-digest SHA256" must be what the trace read, at TLS 1.3 (RSA and ECDSA
// chains); at TLS 1.2, where Postfix 3.7's posttls-finger prints no signature, against openssl
// s_client's "Peer signature type / Peer signing digest".
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import tls from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startPostfix, type PostfixInstance } from '../../fixtures/postfix/instance.js';
import { runFinger } from '../../fixtures/postfix/finger.js';
import { openTlsPath } from '../../src/scan/open.js';
import { upgradeToTls } from '../../src/tls/upgrade.js';
import { negotiatedFacts } from '../../src/tls/negotiated.js';
import { describePostfix } from '../postfix/guard.js';

describePostfix('handshake trace vs posttls-finger on a real Postfix', () => {
  let pki: Pki;
  let pf: PostfixInstance;
  beforeAll(async () => {
    pki = await createPki();
    pf = await startPostfix({ pki, scenarios: ['good', 'ecdsa', 'tls12'] });
  });
  afterAll(async () => {
    await pf?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it.each(['good', 'ecdsa', 'tls12'] as const)('scenario %s', async (name) => {
    const port = pf.services[name].port;
    const path = await openTlsPath({
      host: TEST_HOST, address: '127.0.0.1', port, mode: 'starttls', servername: TEST_HOST, ehlo: 'client.test.example',
      connectTimeoutMs: 5000, timeoutMs: 5000, bannerTimeoutMs: 5000, tlsTimeoutMs: 5000,
    });
    const secure = await upgradeToTls(path.socket, { servername: TEST_HOST, secureContext: tls.createSecureContext({}), timeoutMs: 5000, phase: 'handshake', mode: 'starttls', trace: true });
    const ours = negotiatedFacts(secure, TEST_HOST);
    secure.destroy();
    expect(ours.certificateRequested).toBe(false);
    if (name === 'tls12') {
      const out = await new Promise<string>((resolve) => {
        const p = execFile(pf.tools.openssl, ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${port}`, '-servername', TEST_HOST], { timeout: 15_000 }, (_e, so, se) => resolve(`${so}${se}`));
        p.stdin?.end();
      });
      expect(ours.protocol).toBe('TLSv1.2');
      expect(ours.peerSignature).toMatchObject({ type: /^Peer signature type: (\S+)/m.exec(out)?.[1], digest: /^Peer signing digest: (\S+)/m.exec(out)?.[1] });
      return;
    }
    const finger = await runFinger({ posttlsFinger: pf.tools.posttlsFinger, port, caFile: pf.caFile, servername: TEST_HOST });
    const digest = /server-digest (\S+)/.exec(finger.output)?.[1] ?? null;
    expect(finger.serverSignature, finger.output).not.toBeNull();
    expect(ours.protocol).toBe(finger.protocol);
    expect(ours.peerSignature).toMatchObject({ type: finger.serverSignature, digest });
  });
});
