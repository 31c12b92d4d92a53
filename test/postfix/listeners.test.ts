// Which master.cf services are listeners, and where they bind and are probed, read without
// postconf (the files themselves); and a listener nobody answers on.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../fixtures/closed-port.js';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { checkPostfix } from '../../src/index.js';
import { readPostfixConfig } from '../../src/postfix/config.js';
import { findListeners } from '../../src/postfix/listeners.js';

let root: string;
let pki: Pki;
let n = 0;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'mxprobe-pflisten-'));
  pki = await createPki();
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(pki.dir, { recursive: true, force: true });
});

function configDir(mainCf: string, masterCf: string): string {
  const dir = join(root, `etc${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'main.cf'), mainCf);
  writeFileSync(join(dir, 'master.cf'), masterCf);
  return dir;
}

async function listeners(mainCf: string, masterCf: string, version = '3.7') {
  const config = await readPostfixConfig({ configDir: configDir(mainCf, masterCf), postconf: false, postfixVersion: version });
  return findListeners(config);
}

describe('listeners from master.cf (master(5), known_tcp_ports, services(5), inet_interfaces)', () => {
  it('service names, host:port, bind addresses and where they are probed', async () => {
    const { listeners: l, findings } = await listeners('inet_interfaces = 192.0.2.10, 127.0.0.1\n', `smtp inet n - y - - smtpd
submissions inet n - y - - smtpd -o smtpd_tls_wrappermode=yes
[::1]:2525 inet n - n - - smtpd
127.0.0.2:submission inet n - n - - smtpd
pickup unix n - y 60 1 pickup
`);
    expect(findings).toEqual([]);
    expect(l.map((x) => [x.service.service, x.bindAddress, x.address, x.port])).toEqual([
      ['smtp', '192.0.2.10, 127.0.0.1', '192.0.2.10', 25],
      ['submissions', '192.0.2.10, 127.0.0.1', '192.0.2.10', 465],
      ['[::1]:2525', '::1', '::1', 2525],
      ['127.0.0.2:submission', '127.0.0.2', '127.0.0.2', 587],
    ]);
  });
  it('wildcard and loopback-only binds are probed on loopback; IPv6-only on ::1', async () => {
    expect((await listeners('', 'smtp inet n - y - - smtpd\n')).listeners[0]).toMatchObject({ bindAddress: 'all', address: '127.0.0.1' });
    expect((await listeners('inet_interfaces = loopback-only\ninet_protocols = ipv6\n', 'smtp inet n - y - - smtpd\n')).listeners[0]).toMatchObject({ address: '::1' });
  });
  it('before Postfix 3.6 (no known_tcp_ports) names come from /etc/services', async () => {
    expect((await listeners('', 'submissions inet n - y - - smtpd\n', '3.5')).listeners[0].port).toBe(465);
  });
  it('postscreen hands clients to the smtpd pass service, whose overrides give the TLS settings', async () => {
    const { listeners: l } = await listeners('', `smtp inet n - y - 1 postscreen
smtpd pass - - y - - smtpd -o syslog_name=postfix/pass -o smtpd_tls_security_level=may
`);
    expect(l.map((x) => [x.service.command, x.tlsService.service, x.tlsService.type, x.label])).toEqual([['postscreen', 'smtpd', 'pass', 'postfix/pass']]);
    expect(l[0].notes[0]).toMatch(/tlsproxy\(8\)/);
  });
  it('an unknown port name is a finding, not an error', async () => {
    const { listeners: l, findings } = await listeners('', 'nosuchservice inet n - y - - smtpd\n');
    expect(l).toEqual([]);
    expect(findings.map((f) => f.code)).toEqual(['unknown-port', 'no-smtpd-listener']);
  });
});

describe('a listener nobody answers on', () => {
  it('is CRITICAL with the probe\'s error and the likely cause (Postfix not running, or not reloaded)', async () => {
    const port = await closedPort();
    const chain = join(root, 'chain.pem');
    writeFileSync(chain, pki.leaves.good.keyPem + pki.leaves.good.chainPem);
    const dir = configDir(`myhostname = mx.test.example\nsmtpd_tls_security_level = may\nsmtpd_tls_chain_files = ${chain}\n`, `127.0.0.1:${port} inet n - n - - smtpd\n`);
    const r = await checkPostfix({ configDir: dir, postconf: false, caFile: pki.root.path, connectTimeoutMs: 2000, timeoutMs: 2000, tlsTimeoutMs: 2000 });
    const l = r.listeners[0];
    expect(l.status).toBe('critical');
    expect(l.findings.find((f) => f.code === 'refused')).toMatchObject({ severity: 'critical', cause: expect.stringMatching(/is Postfix running/) });
    expect(l.served?.probe.error).toMatchObject({ phase: 'connect', code: 'refused' });
    expect(l.rows.every((row) => row.verdict !== 'differs')).toBe(true);
    expect(r.status).toBe('critical');
  });
});
