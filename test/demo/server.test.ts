// The demo server and runDemo(): a real STARTTLS session on 127.0.0.1, probed through the
// library; the verdict comes from the probe, not from the demo (a wrong trust anchor or name
// fails it), and the server leaves no port or connection behind.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../src/probe.js';
import { createDemoPki, runDemo, startDemoServer, type DemoPki, type DemoServer } from '../../src/demo/index.js';

let pki: DemoPki;
let server: DemoServer;
beforeAll(async () => {
  pki = createDemoPki();
  server = await startDemoServer({ certPem: pki.leaf.pem, keyPem: pki.leaf.keyPem, name: pki.name });
});
afterAll(() => server.close());

/** Connection refused: nothing listens on the port any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(3000, () => s.destroy());
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

/** Reads until `until` matches what arrived (or 3 s pass). */
function readUntil(s: Socket | import('node:tls').TLSSocket, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${until} in ${JSON.stringify(text)}`)), 3000);
    const onData = (b: Buffer) => {
      text += b.toString('latin1');
      if (until.test(text)) {
        clearTimeout(timer);
        s.off('data', onData);
        resolve(text);
      }
    };
    s.on('data', onData);
  });
}

describe('runDemo', () => {
  it('probes at level verify, trusts the demo root, matches the name, and stops the server', async () => {
    const r = await runDemo({ transcript: true });
    expect(r.status).toBe('ok');
    expect(r.error).toBeNull();
    expect(r.level).toBe('verify');
    expect(r.mode).toBe('starttls');
    expect(r.tls?.servername).toBe('mx.demo.test');
    expect(r.verification).toMatchObject({ trusted: true, hostnameMatch: true, matchedName: 'mx.demo.test' });
    expect(r.certificates).toHaveLength(1);
    expect(r.certificates[0]).toMatchObject({ subject: 'O=mxprobe demo, CN=mx.demo.test', signatureAlgorithm: 'ecdsa-with-SHA256', key: { type: 'ec', bits: 256 } });
    expect(r.smtp.transcript?.map((t) => t.line)).toContain('STARTTLS');
    expect(await refused(r.port)).toBe(true);
  });
});

describe('the demo server', () => {
  it('is judged by the probe: without the demo root the chain is untrusted (CRITICAL)', async () => {
    const r = await probe(`[127.0.0.1]:${server.port}`, { servername: pki.name, ca: createDemoPki().root.pem, timeoutMs: 3000 });
    expect(r.status).toBe('critical');
    expect(r.verification?.trusted).toBe(false);
    expect(r.verification?.hostnameMatch).toBe(true);
  });

  it('and a name the leaf does not carry does not match', async () => {
    const r = await probe(`[127.0.0.1]:${server.port}`, { servername: 'mx.other.test', ca: pki.root.pem, timeoutMs: 3000 });
    expect(r.status).toBe('critical');
    expect(r.verification).toMatchObject({ trusted: true, hostnameMatch: false });
  });

  it('drops what a client sent after STARTTLS before the handshake (RFC 3207 §4.2)', async () => {
    const s = connect({ host: '127.0.0.1', port: server.port });
    try {
      await readUntil(s, /^220 .*\r\n/);
      s.write('EHLO client.test\r\n');
      await readUntil(s, /^250 8BITMIME\r\n/m);
      s.write('STARTTLS\r\nNOOP\r\n');
      expect(await readUntil(s, /\r\n/)).toBe('220 2.0.0 Ready to start TLS\r\n');
      const secure = tlsConnect({ socket: s, servername: pki.name, ca: pki.root.pem });
      await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
      secure.write('EHLO client.test\r\n');
      // The first reply inside TLS is the EHLO's: the NOOP was never read as a command.
      const reply = await readUntil(secure, /^250 8BITMIME\r\n/m);
      expect(reply.startsWith('250-mx.demo.test\r\n')).toBe(true);
      expect(reply).not.toContain('STARTTLS');
      secure.destroy();
    } finally {
      s.destroy();
    }
  });

  it('refuses an over-long line and closes', async () => {
    const s = connect({ host: '127.0.0.1', port: server.port });
    try {
      await readUntil(s, /^220 .*\r\n/);
      const closed = new Promise((resolve) => s.once('close', resolve));
      s.write(`NOOP ${'x'.repeat(2000)}\r\n`);
      expect(await readUntil(s, /\r\n/)).toBe('500 5.5.2 Line too long\r\n');
      await closed;
    } finally {
      s.destroy();
    }
  });

  it('close() ends open connections and frees the port', async () => {
    const other = await startDemoServer({ certPem: pki.leaf.pem, keyPem: pki.leaf.keyPem, name: pki.name });
    const s = connect({ host: '127.0.0.1', port: other.port });
    await readUntil(s, /^220 /);
    const closed = new Promise((resolve) => s.once('close', resolve));
    await other.close();
    await closed;
    expect(await refused(other.port)).toBe(true);
  });
});
