// `mxprobe demo` as a new user runs it: the built CLI, no arguments, an OK verdict and exit 0,
// in every output format, with nothing left listening afterwards — and in a network namespace
// that has nothing but loopback, as on a machine with no network.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, runCli, runProcess, STACK, type Cli, BUILD_TIMEOUT_MS } from './helpers.js';

let cli: Cli;
beforeAll(async () => {
  cli = await builtCli();
}, BUILD_TIMEOUT_MS);
afterAll(() => cli?.cleanup());

const VERDICT = /^OK \[127\.0\.0\.1\]:(\d+) TLSv1\.3 TLS_AES_\d+_GCM_SHA\d+ \S+ — trusted, name matches, expires in 89 days$/m;

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

describe('mxprobe demo', () => {
  it('prints the probe table with an OK verdict first, exits 0 by itself, and leaves the port closed', async () => {
    const started = Date.now();
    const r = await runCli(cli.bin, ['demo']);
    expect(r.signal, 'exited by itself, not killed').toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
    const [first] = r.stdout.split('\n');
    const port = Number(VERDICT.exec(first)?.[1]);
    expect(port, first).toBeGreaterThan(0);
    for (const row of ['level            │ verify', 'STARTTLS offered │ yes', 'SNI              │ mx.demo.test', 'signature        │ ecdsa-with-SHA256', 'trusted          │ yes', 'name             │ matches mx.demo.test']) {
      expect(r.stdout).toContain(row);
    }
    expect(await refused(port)).toBe(true);
  });

  it('-q: the verdict line only; --format nagios: the plugin line; both exit 0', async () => {
    const q = await runCli(cli.bin, ['demo', '-q']);
    expect(q.code).toBe(0);
    expect(q.stdout).toMatch(new RegExp(`${VERDICT.source.slice(1, -1)}\\n$`));
    expect(q.stdout.split('\n')).toHaveLength(2);
    const n = await runCli(cli.bin, ['demo', '--format', 'nagios']);
    expect(n.code).toBe(0);
    expect(n.stdout).toMatch(/^SMTP-TLS OK - 127\.0\.0\.1 TLSv1\.3, trusted, expires in 89 days \| time=[\d.]+s;;;0 days=89;21:;7:;0\n$/);
  });

  it('--json: one ProbeResult in an array, schemaVersion 3, the demo chain judged at verify', async () => {
    const r = await runCli(cli.bin, ['demo', '--json']);
    expect(r.code).toBe(0);
    const [result] = JSON.parse(r.stdout);
    expect(result).toMatchObject({
      schemaVersion: 3, level: 'verify', status: 'ok', error: null, mode: 'starttls',
      verification: { trusted: true, hostnameMatch: true, matchedName: 'mx.demo.test' },
      tls: { protocol: 'TLSv1.3', servername: 'mx.demo.test' },
    });
    expect(result.certificates).toHaveLength(1);
    expect(result.certificates[0].key).toMatchObject({ type: 'ec', bits: 256 });
  });

  it('-v adds the transcript; --show-certs the served PEM', async () => {
    const r = await runCli(cli.bin, ['demo', '-v', '--show-certs']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^== connected to 127\.0\.0\.1 port \d+\n<- 220 mx\.demo\.test ESMTP mxprobe demo\n/);
    expect(r.stdout).toContain('-> STARTTLS\n<- 220 2.0.0 Ready to start TLS\n');
    expect(r.stdout).toMatch(/-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----/);
  });

  it('takes only output options: anything else is a usage error naming demo', async () => {
    for (const args of [['demo', '--level', 'may'], ['demo', '--ca-file', 'root.pem'], ['demo', 'example.com']]) {
      const r = await runCli(cli.bin, args);
      expect(r.code, args.join(' ')).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).toMatch(/^mxprobe demo: .+\n$/);
    }
  });

  // A fresh machine with no network: a new network namespace has only a loopback device.
  const netns = spawnSync('unshare', ['-rn', 'true']).status === 0;
  it.runIf(netns || process.env.CI === 'true')('works with no network at all (unshare -rn: loopback only)', async () => {
    const r = await runProcess('unshare', ['-rn', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${cli.bin}" demo -q`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(VERDICT);
  });
  if (!netns && process.env.CI !== 'true') it.skip('works with no network at all: unshare -rn is not permitted here', () => {});
});
