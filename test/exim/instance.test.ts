// The private Exim fixture itself: it serves STARTTLS and SMTPS with the test PKI, applies
// smtp_accept_max, and stop() leaves no process, no port and no directory.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { startExim, type EximInstance } from '../../fixtures/exim/instance.js';
import { runSClient } from '../../fixtures/postfix/sclient.js';
import { describeExim } from './guard.js';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

/** The first line the server sends on a fresh connection. */
function greeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(5_000, () => s.destroy(new Error('no greeting within 5 s')));
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\n')) resolve(buf.split('\r\n')[0]);
    });
    s.once('error', reject);
    s.once('close', () => resolve(buf.split('\r\n')[0]));
    s.unref();
    // Held open: the caller counts sessions; destroyed with the daemon's children at stop().
  });
}

describeExim('private Exim fixture', () => {
  let pki: Pki;
  const started: EximInstance[] = [];
  beforeAll(async () => {
    pki = await createPki();
  });
  afterAll(async () => {
    await Promise.all(started.map((e) => e.stop()));
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('serves STARTTLS and SMTPS with the test chain; stop() leaves nothing', async () => {
    const exim = await startExim({ pki });
    started.push(exim);
    expect(exim.mainlog()).toMatch(/daemon started/);
    expect(exim.processes()).toContain(exim.pid);
    const caFile = `${exim.dir}/ca.pem`;
    writeFileSync(caFile, pki.root.pem);
    const [starttls, smtps] = await Promise.all([
      runSClient({ openssl: 'openssl', port: exim.starttlsPort, caFile, servername: 'mx.test.example', verifyHostname: true }),
      runSClient({ openssl: 'openssl', port: exim.smtpsPort, caFile, servername: 'mx.test.example', verifyHostname: true, implicit: true }),
    ]);
    for (const r of [starttls, smtps]) expect(r, r.output).toMatchObject({ handshake: true, protocol: 'TLSv1.3', trusted: true });
    await exim.stop();
    expect(exim.processes()).toEqual([]);
    expect(existsSync(exim.dir)).toBe(false);
    expect(await refused(exim.starttlsPort)).toBe(true);
    expect(await refused(exim.smtpsPort)).toBe(true);
  });

  it('smtp_accept_max: the session over the cap gets 421', async () => {
    const exim = await startExim({ pki, smtpAcceptMax: 2 });
    started.push(exim);
    const first = await Promise.all([greeting(exim.starttlsPort), greeting(exim.starttlsPort)]);
    for (const line of first) expect(line).toMatch(/^220 /);
    expect(await greeting(exim.starttlsPort)).toMatch(/^421 .*too many concurrent SMTP connections/i);
    await exim.stop();
    expect(exim.processes()).toEqual([]);
  });
});
