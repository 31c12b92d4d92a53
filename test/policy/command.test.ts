// `mxprobe policy FILE` as a user runs it: the built CLI (npm run build) in a child process,
// against the fixture servers and DNS fixture on 127.0.0.1. Exit codes, --json shape, --offline
// lint lines with line numbers, and malformed tables: line-numbered messages, exit 3 only when
// the file is unusable, never a stack trace.
import { builtCli, type Cli } from '../cli/helpers.js';
import { tempDir } from '../../fixtures/temp.js';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { SCHEMA_VERSION } from '../../src/types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// MXPROBE_BIN: another build of the CLI; by default a private snapshot of bin/ + dist/
// (test/cli/helpers.ts), so a concurrent rebuild of dist/ cannot break a run.
let BIN = process.env.MXPROBE_BIN ?? '';
let cli: Cli | undefined;
const EXAMPLE = join(ROOT, 'fixtures/tls_policy.example');
const STACK = /\n\s+at /;

let pki: Pki;
let dns: DnsFixture;
let good: SmtpFixture;
let selfSigned: SmtpFixture;
let plain: SmtpFixture;
let dir: string;

beforeAll(async () => {
  if (!BIN) {
    cli = await builtCli();
    BIN = cli.bin;
  }
  pki = await createPki();
  [good, selfSigned, plain] = await Promise.all([
    startSmtpFixture({ leaf: pki.leaves.good }),
    startSmtpFixture({ leaf: pki.leaves.selfSigned }),
    startSmtpFixture({ leaf: pki.leaves.good, noStarttls: true }),
  ]);
  dns = await startDnsServer({
    'test.example': { MX: [{ preference: 10, exchange: TEST_HOST }] },
    'sub.test.example': { MX: [{ preference: 10, exchange: TEST_HOST }] },
    [TEST_HOST]: { A: ['127.0.0.1'] },
  });
  dir = tempDir('mxprobe-policy-');
}, 60_000);

afterAll(async () => {
  cli?.cleanup();
  await Promise.all([good, selfSigned, plain, dns].filter(Boolean).map((s) => s.close()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run { code: number; stdout: string; stderr: string }

/** The CLI with short deadlines, the test root as the only anchor and the DNS fixture. */
function mxprobe(args: string[], opts: { probeFlags?: boolean } = {}): Promise<Run> {
  const flags = opts.probeFlags === false ? [] : [
    '--ca-file', pki.root.path, '--resolver', dns.server, '--ehlo', 'client.test.example',
    '--connect-timeout', '3s', '--timeout', '3s', '--tls-timeout', '3s', '--banner-timeout', '3s',
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'policy', ...args, ...flags], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let n = 0;
function table(text: string | Buffer): string {
  const path = join(dir, `tls_policy.${++n}`);
  writeFileSync(path, text);
  return path;
}

const noStack = (r: Run) => {
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stdout).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(/internal error/);
};

describe('probing a table', () => {
  test('every entry judged, in table order; exit 1: the worst is mail in plaintext at may', async () => {
    const file = table([
      `test.example:${good.port} verify`,
      `[127.0.0.1]:${selfSigned.port} encrypt`,
      `[127.0.0.1]:${plain.port} may`,
      `[127.0.0.1]:${good.port} secure match=nexthop:${TEST_HOST}`,
      `.test.example secure match=.test.example`,
      '',
    ].join('\n'));
    const r = await mxprobe([file]);
    noStack(r);
    expect(r.code).toBe(1);
    const heads = r.stdout.split('\n').filter((l) => /^line \d+: /.test(l)).map((l) => l.split(' ').slice(0, 4).join(' '));
    expect(heads).toEqual([
      `line 1: test.example:${good.port} verify`,
      `line 2: [127.0.0.1]:${selfSigned.port} encrypt`,
      `line 3: [127.0.0.1]:${plain.port} may`,
      `line 4: [127.0.0.1]:${good.port} secure`,
      'line 5: .test.example secure',
    ]);
    // The cells wrap: read the tables as running text.
    const text = r.stdout.replace(/[│┌┐└┘├┤┬┴┼─]+/g, ' ').replace(/\s+/g, ' ');
    expect(text).toMatch(/Verified TLS connection established to mx\.test\.example ?\[127\.0\.0\.1\]:\d+: TLSv1\.3/);
    expect(text).toMatch(/Untrusted TLS connection established to 127\.0\.0\.1 ?\[127\.0\.0\.1\]/);
    expect(text).toMatch(/TLS not offered by host 127\.0\.0\.1 ?\[127\.0\.0\.1\]:\d+: plaintext/);
    expect(text).toMatch(/not probed \(use --domain NAME/);
    expect(r.stdout).toMatch(/: 5 entries: 4 would deliver, 0 would defer, 1 not probed/);
    // No ANSI in a pipe.
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  test('--json: one array, one object per entry with its ProbeResults; stdout is JSON only', async () => {
    const file = table(`test.example:${good.port} verify\n[127.0.0.1]:${plain.port} encrypt\nbad.example must\n`);
    const r = await mxprobe([file, '--json']);
    noStack(r);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as Array<Record<string, unknown> & { results: Array<Record<string, unknown>>; hosts: unknown[]; lint: unknown[] }>;
    expect(doc).toHaveLength(3);
    expect(doc.map((e) => [e.line, e.key, e.level, e.deliver, e.state, e.status])).toEqual([
      [1, `test.example:${good.port}`, 'verify', true, 'deliver', 'ok'],
      [2, `[127.0.0.1]:${plain.port}`, 'encrypt', false, 'defer', 'critical'],
      [3, 'bad.example', null, false, 'invalid', 'critical'],
    ]);
    for (const e of doc) {
      expect(e).toMatchObject({ schemaVersion: SCHEMA_VERSION, source: file });
      expect(typeof e.because).toBe('string');
      expect(Array.isArray(e.lint)).toBe(true);
    }
    expect(doc[0].results[0]).toMatchObject({ host: TEST_HOST, address: '127.0.0.1', port: good.port, level: 'verify', status: 'ok' });
    expect(doc[0].results[0].verification).toMatchObject({ trusted: true, hostnameMatch: true });
    expect(doc[1].because).toMatch(/^Postfix would defer: TLS is required, but was not offered by host 127\.0\.0\.1\[127\.0\.0\.1\]:\d+$/);
    expect(doc[2].results).toEqual([]);
    expect(doc[2].because).toMatch(/4\.7\.5 client TLS configuration problem .*invalid security level "must"/);
  });

  test('exit 0 when every entry passes, 1 when the worst is a warning', async () => {
    const ok = await mxprobe([table(`[127.0.0.1]:${good.port} verify match=${TEST_HOST}\n`)]);
    noStack(ok);
    expect(ok.code).toBe(0);
    const warn = await mxprobe([table(`[127.0.0.1]:${plain.port} may\n`)]);
    expect(warn.code).toBe(1);
  });

  test('--domain probes a pattern entry as that domain', async () => {
    const r = await mxprobe([table(`.test.example secure match=${TEST_HOST}\n`), '--domain', 'sub.test.example', '--port', String(good.port), '--json']);
    noStack(r);
    const [e] = JSON.parse(r.stdout) as Array<{ destination: string; deliver: boolean }>;
    expect(e.destination).toBe(`sub.test.example:${good.port}`);
    expect(e.deliver).toBe(true);
    expect(r.code).toBe(0);
  });

  test('CRLF line ends: the same verdicts', async () => {
    const r = await mxprobe([table(`# comment\r\n[127.0.0.1]:${good.port} verify\r\n  match=${TEST_HOST}\r\n`), '--json']);
    noStack(r);
    const [e] = JSON.parse(r.stdout) as Array<{ line: number; endLine: number; deliver: boolean; policy: string }>;
    expect(e).toMatchObject({ line: 2, endLine: 3, deliver: true, policy: `verify match=${TEST_HOST}` });
    expect(r.code).toBe(0);
  });
});

describe('--offline: lint only, with line numbers', () => {
  test('the example table: Postfix-style lines, nothing probed, exit 2 for the entries Postfix refuses', async () => {
    const r = await mxprobe([EXAMPLE, '--offline'], { probeFlags: false });
    noStack(r);
    expect(r.code).toBe(2);
    // Line numbers from the file itself: the example table grows.
    const lines = readFileSync(EXAMPLE, 'utf8').split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l)) + 1;
    const typo = at(/^typo\.example\.com\s/);
    const badattr = at(/^badattr\.example\.com\s/);
    const mil = at(/^example\.mil\s/);
    const dupMil = lines.findIndex((l, i) => i + 1 > mil && /^example\.mil\s/.test(l)) + 1;
    expect(r.stdout).toContain(`${EXAMPLE}, line ${typo}: error: smtp_tls_policy_maps, next-hop destination "typo.example.com": invalid security level "must" (invalid-level)`);
    expect(r.stdout).toContain(`${EXAMPLE}, line ${badattr}: error: smtp_tls_policy_maps, next-hop destination "badattr.example.com": invalid attribute name: "mtach" (invalid-attribute)`);
    expect(r.stdout).toContain(`${EXAMPLE}, line ${dupMil}: warning: duplicate entry: "example.mil" (postmap keeps the entry at line ${mil}; this one is never used) (duplicate-key)`);
    expect(r.stdout).toMatch(/line \d+: warning: protocols=TLSv1 allows TLSv1 \(obsolete; RFC 8996\)/);
    expect(r.stdout).toMatch(new RegExp(`│ ${typo} +│ typo\\.example\\.com +│ must +│ would DEFER \\(invalid entry\\) +│ CRITICAL`));
    expect(r.stdout).toMatch(/not probed|would DEFER \(invalid entry\)/);
    expect(r.stdout).not.toMatch(/│ would deliver +│/);
  });
});

describe('malformed tables', () => {
  test('missing file: exit 3, one line', async () => {
    const r = await mxprobe([join(dir, 'nope')]);
    noStack(r);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`mxprobe policy: policy file ${join(dir, 'nope')}: no such file`);
  });

  test('empty file: exit 3', async () => {
    const r = await mxprobe([table('')]);
    noStack(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no entries \(empty, or only comments\)/);
  });

  test('only comments: exit 3', async () => {
    const r = await mxprobe([table('# nothing here\n\n   \n')]);
    expect(r.code).toBe(3);
  });

  test('binary garbage (a .db file): exit 3, names the line of the NUL byte', async () => {
    const bytes = Buffer.from([0x61, 0x0a, 0x62, 0x0a, 0x00, 0x61, 0x62, 0xff, 0xfe, 0x00, 0x00, 0x0a, 0x13]);
    const r = await mxprobe([table(bytes)]);
    noStack(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/line 3: error: .*binary data \(NUL byte\)/);
    expect(r.stderr).toMatch(/not a text file \(line 3 has a NUL byte\)/);
  });

  test('a 10 MB line: that line is skipped with its number, the rest is used', async () => {
    const r = await mxprobe([table(`${'a'.repeat(10_000_000)} may\n[127.0.0.1]:${good.port} encrypt\n`), '--offline'], { probeFlags: false });
    noStack(r);
    expect(r.stdout).toMatch(/, line 1: error: line is longer than 65536 bytes \(10000004\) -- ignoring this line \(line-too-long\)/);
    expect(r.stdout).toMatch(/│ 2 +│ \[127\.0\.0\.1\]/);
    expect(r.code).toBe(2);
  });

  test('a file over 10 MiB: exit 3', async () => {
    const r = await mxprobe([table(`${'a'.repeat(11 * 1024 * 1024)}\n`), '--offline'], { probeFlags: false });
    noStack(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/too large/);
  });

  test.each([
    ['unknown level', 'x.example must\n', /line 1: error: .*invalid security level "must" \(invalid-level\)/],
    ['bad attribute', 'x.example verify mtach=hostname\n', /line 1: error: .*invalid attribute name: "mtach" \(invalid-attribute\)/],
    ['bad protocols', 'x.example encrypt protocols=TLSv9\n', /line 1: error: .*Invalid TLS protocol list "TLSv9"/],
    ['no value', 'x.example\ny.example may\n', /line 1: error: expected format: key whitespace value \(missing-value\)/],
    ['leading whitespace first', '  x.example may\ny.example may\n', /line 1: warning: logical line must not start with whitespace/],
  ])('%s: line-numbered, exit 2 (the table is usable, Postfix would defer that destination)', async (_name, text, message) => {
    const r = await mxprobe([table(text), '--offline'], { probeFlags: false });
    noStack(r);
    expect(r.stdout + r.stderr).toMatch(message);
    expect([1, 2]).toContain(r.code);
  });

  test('a bad flag is a usage error: exit 3', async () => {
    const r = await mxprobe([table('x.example may\n'), '--domain', 'not a domain']);
    noStack(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--domain/);
  });
});
