// Where the CLI's destinations come from (arguments, -f FILE, stdin) and how a domain is
// resolved through --resolver: every query goes to the DNS fixture, never the machine's resolver.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tempDir } from '../../fixtures/temp.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { builtCli, closedPort, local, runCli, SHORT, STACK, type Cli, type RunOptions, BUILD_TIMEOUT_MS } from './helpers.js';

let cli: Cli;
let pki: Pki;
let trusted: SmtpFixture;
let noTls: SmtpFixture;
let dns: DnsFixture;
let refused: number;
let tmp: string;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  [trusted, noTls] = await Promise.all([
    startSmtpFixture({ leaf: pki.leaves.good }),
    startSmtpFixture({ leaf: pki.leaves.good, noStarttls: true }),
  ]);
  dns = await startDnsServer({
    'example.test': { MX: [{ preference: 10, exchange: TEST_HOST }] },
    [TEST_HOST]: { A: ['127.0.0.1'] },
    'nomx.test': { A: ['127.0.0.1'] },
    'nullmx.test': { MX: [{ preference: 0, exchange: '.' }] },
    'noaddr.test': { MX: [{ preference: 10, exchange: 'gone.noaddr.test' }] },
    'gone.noaddr.test': {},
  });
  refused = await closedPort();
  tmp = tempDir('mxprobe-cli-dest-');
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([trusted, noTls, dns].map((s) => s?.close()));
  cli?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const mxprobe = (args: string[], o?: RunOptions) =>
  runCli(cli.bin, [...SHORT, '--ca-file', pki.root.path, '--resolver', dns.server, ...args], o);
const quietLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean);
const lineFor = (lines: string[], port: number) => lines.find((l) => l.includes(`:${port} `));

describe('several destinations', () => {
  it('arguments: every one probed, exit by the worst', async () => {
    const r = await mxprobe(['--servername', TEST_HOST, '-q', '--level', 'may', local(trusted.port), local(noTls.port)]);
    const lines = quietLines(r.stdout);
    expect(lines).toHaveLength(2);
    expect(lineFor(lines, trusted.port)).toMatch(/^OK /);
    expect(lineFor(lines, noTls.port)).toMatch(/^WARNING /);
    expect(r.code).toBe(1);
  });

  it('-f FILE: comments and blank lines skipped, a malformed line reported with its number, the rest probed', async () => {
    const list = join(tmp, 'targets.txt');
    writeFileSync(list, [
      '# MX hosts to check',
      local(trusted.port),
      '',
      '   # indented comment',
      '[::1',
      `${local(refused)}   # trailing comment`,
    ].join('\n'));
    const r = await mxprobe(['--servername', TEST_HOST, '-q', '-f', list]);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mxprobe: .*targets\.txt:5: .*\[::1/)]);
    const lines = quietLines(r.stdout);
    expect(lines).toHaveLength(2);
    expect(lineFor(lines, trusted.port)).toMatch(/^OK /);
    expect(lineFor(lines, refused)).toMatch(/^CRITICAL .*refused/);
    expect(r.code).toBe(2);
  });

  it('-f FILE and arguments together', async () => {
    const list = join(tmp, 'one.txt');
    writeFileSync(list, `${local(trusted.port)}\n`);
    const r = await mxprobe(['--servername', TEST_HOST, '-q', '-f', list, local(refused)]);
    expect(quietLines(r.stdout)).toHaveLength(2);
    expect(r.code).toBe(2);
  });

  it('a malformed line in a --json run: the warning on stderr, stdout still one JSON document', async () => {
    const list = join(tmp, 'json.txt');
    writeFileSync(list, `not a [destination\n${local(trusted.port)}\n`);
    const r = await mxprobe(['--servername', TEST_HOST, '--json', '-f', list]);
    expect(r.stderr).toMatch(/^mxprobe: .*json\.txt:1: /);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
    expect(r.code).toBe(0);
  });

  it('stdin as "-"', async () => {
    const input = `# from a pipe\n${local(trusted.port)}\n${local(noTls.port)}\n`;
    const r = await mxprobe(['--servername', TEST_HOST, '-q', '--level', 'may', '-'], { input });
    expect(r.stderr).toBe('');
    const lines = quietLines(r.stdout);
    expect(lines).toHaveLength(2);
    expect(r.code).toBe(1);
  });

  it('stdin as "-f -"', async () => {
    const r = await mxprobe(['--servername', TEST_HOST, '-q', '-f', '-'], { input: `${local(trusted.port)}\n` });
    expect(quietLines(r.stdout)).toEqual([expect.stringMatching(/^OK /)]);
    expect(r.code).toBe(0);
  });
});

describe('domains through the DNS fixture', () => {
  it('domain:PORT looks up MX and probes the MX host on PORT; the MX name is the name verified', async () => {
    const r = await mxprobe(['--json', `example.test:${trusted.port}`]);
    expect(r.stderr).toBe('');
    const [p] = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(p).toMatchObject({
      nexthop: 'example.test', mx: { host: TEST_HOST, preference: 10 }, host: TEST_HOST, address: '127.0.0.1', port: trusted.port,
      status: 'ok', verification: { trusted: true, hostnameMatch: true },
    });
    expect(r.code).toBe(0);
    expect(dns.queries.some((q) => q.name.replace(/\.$/, '') === 'example.test' && q.type === 'MX')).toBe(true);
  });

  it('no MX: the domain\'s own address (its name is then the one verified)', async () => {
    const r = await mxprobe(['--json', '--servername', TEST_HOST, `nomx.test:${trusted.port}`]);
    const [p] = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(p).toMatchObject({ mx: null, address: '127.0.0.1', status: 'ok' });
    expect(r.code).toBe(0);
  });

  it('null MX: critical, exit 2, error null-mx, no connection', async () => {
    const before = trusted.connections;
    const r = await mxprobe(['--json', `nullmx.test:${trusted.port}`]);
    const [p] = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(p).toMatchObject({ status: 'critical', error: { phase: 'resolve', code: 'null-mx' } });
    expect(r.code).toBe(2);
    expect(trusted.connections).toBe(before);
  });

  it('NXDOMAIN: exit 2, error dns-nxdomain', async () => {
    const r = await mxprobe(['--json', 'missing.test']);
    const [p] = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(p).toMatchObject({ status: 'critical', error: { phase: 'resolve', code: 'dns-nxdomain' } });
    expect(r.code).toBe(2);
  });

  it('an MX host without an address: exit 2, error dns-no-address', async () => {
    const r = await mxprobe(['--json', 'noaddr.test']);
    const [p] = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(p).toMatchObject({ status: 'critical', error: { code: 'dns-no-address' } });
    expect(r.code).toBe(2);
  });

  it('-q prints the MX host in the verdict line', async () => {
    const r = await mxprobe(['-q', `example.test:${trusted.port}`]);
    expect(r.stdout).toMatch(new RegExp(`^OK ${TEST_HOST.replace(/\./g, '\\.')}\\[127\\.0\\.0\\.1\\]:${trusted.port} `));
    expect(r.code).toBe(0);
  });
});
