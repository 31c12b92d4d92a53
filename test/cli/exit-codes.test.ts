// The Nagios contract of the built CLI: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and a
// usage error is one line on stderr with nothing on stdout and no stack trace.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tempDir } from '../../fixtures/temp.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { builtCli, closedPort, local, ROOT, runCli, SHORT, STACK, type Cli, BUILD_TIMEOUT_MS } from './helpers.js';

let cli: Cli;
let pki: Pki;
let trusted: SmtpFixture;
let noTls: SmtpFixture;
let selfSigned: SmtpFixture;
let refused: number;
let tmp: string;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  [trusted, noTls, selfSigned] = await Promise.all([
    startSmtpFixture({ leaf: pki.leaves.good }),
    startSmtpFixture({ leaf: pki.leaves.good, noStarttls: true }),
    startSmtpFixture({ leaf: pki.leaves.selfSigned }),
  ]);
  refused = await closedPort();
  tmp = tempDir('mxprobe-cli-exit-');
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([trusted, noTls, selfSigned].map((s) => s?.close()));
  cli?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const trust = () => ['--ca-file', pki.root.path, '--servername', TEST_HOST];
const mxprobe = (...args: string[]) => runCli(cli.bin, [...SHORT, ...args]);

describe('exit codes', () => {
  it('0 for a trusted certificate that names the host', async () => {
    const r = await mxprobe(...trust(), local(trusted.port));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK \[127\.0\.0\.1\]:\d+ TLSv1\.[23] /);
  });

  it('1 at level may when the server offers no STARTTLS', async () => {
    const r = await mxprobe(...trust(), '--level', 'may', local(noTls.port));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^WARNING /);
  });

  it('2 for a self-signed certificate at level verify', async () => {
    const r = await mxprobe(...trust(), local(selfSigned.port));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^CRITICAL .*self-signed/);
  });

  it('2 when the connection is refused', async () => {
    const r = await mxprobe('-q', local(refused));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^CRITICAL .*\(connect\/refused\)/);
    expect(r.stderr).toBe('');
  });

  it('the worst status wins over several destinations', async () => {
    const ok = await mxprobe(...trust(), '-q', '--level', 'may', local(trusted.port), local(noTls.port));
    expect(ok.code).toBe(1);
    const crit = await mxprobe(...trust(), '-q', '--level', 'may', local(trusted.port), local(noTls.port), local(refused));
    expect(crit.code).toBe(2);
    expect(crit.stdout.trim().split('\n')).toHaveLength(3);
  });
});

describe('usage errors: exit 3, one line on stderr, nothing on stdout, no stack trace', () => {
  // Each case names a destination that would fail fast (a closed port) if the flag slipped through.
  const cases: Array<[string, () => string[], RegExp]> = [
    ['unknown flag', () => ['--bogus', local(refused)], /unknown option '--bogus'/],
    ['misspelt flag (commander suggests on the same line)', () => ['--levl', 'may', local(refused)], /--levl.*--level/],
    ['flag without its argument', () => ['--level'], /argument missing/],
    ['bad level', () => ['--level', 'bogus', local(refused)], /--level/],
    ['unclosed [', () => ['[::1'], /\[::1/],
    ['port 0', () => ['[127.0.0.1]:0'], /port 0/],
    ['port 99999', () => ['[127.0.0.1]:99999'], /port 99999/],
    ['empty destination', () => [''], /destination/],
    ['no destination at all', () => [], /destination/],
    ['--to with a bad address', () => ['--to', 'a b@example.test', local(refused)], /address/],
    // One grammar for everything that goes on the wire (src/grammar.ts): nothing is smuggled.
    ['--ehlo with CR LF', () => ['--ehlo', 'x\r\nQUIT', local(refused)], /--ehlo: the EHLO name "x\\x0d\\x0aQUIT" contains a line break/],
    ['--ehlo with LF', () => ['--ehlo', 'x\nRSET', local(refused)], /--ehlo: .* contains a line break/],
    ['--ehlo with a space', () => ['--ehlo', 'mail host.example', local(refused)], /--ehlo: .* contains a space/],
    ['--ehlo not a domain', () => ['--ehlo', 'exa_mple..com', local(refused)], /--ehlo: .* (invalid label|empty label)/],
    ['--from with CR LF', () => ['--from', 'a@b.example\r\nRSET', local(refused)], /--from: invalid mail address/],
    ['--quit-after rcpt without --to', () => ['--quit-after', 'rcpt', local(refused)], /--to/],
    ['missing --ca-file', () => ['--ca-file', join(tmp, 'missing.pem'), local(refused)], /--ca-file.*ENOENT/],
    ['--ca-file is a directory', () => ['--ca-file', tmp, local(refused)], /--ca-file/],
    ['--ca-file without a certificate', () => ['--ca-file', pki.leaves.good.keyPath, local(refused)], /--ca-file/],
    ['missing -f file', () => ['-f', join(tmp, 'missing.txt')], /missing\.txt/],
    ['bad --resolver', () => ['--resolver', 'not-an-ip', local(refused)], /--resolver/],
    ['--resolver port out of range', () => ['--resolver', '127.0.0.1:99999', local(refused)], /--resolver/],
    ['--protocols SSLv3', () => ['--protocols', 'SSLv3', local(refused)], /SSLv3/],
    ['--ciphers bogus', () => ['--ciphers', 'bogus', local(refused)], /bogus/],
    ['bad duration', () => ['--timeout', 'soon', local(refused)], /--timeout/],
    ['bad --format', () => ['--format', 'xml', local(refused)], /--format/],
    ['--concurrency 0', () => ['-c', '0', local(refused)], /--concurrency/],
    ['bad --min-tls', () => ['--min-tls', 'TLSv9', local(refused)], /--min-tls/],
    ['missing --data file', () => ['--to', 'a@example.test', '--data', join(tmp, 'nope.eml'), local(refused)], /--data/],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    const r = await mxprobe(...args());
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(STACK);
    expect(r.code).toBe(3);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^(mxprobe: |error: )/);
    expect(lines[0]).toMatch(message);
  });

  it('a -f file whose every line is malformed: each line reported, then exit 3', async () => {
    const list = join(tmp, 'bad.txt');
    writeFileSync(list, '# only bad lines\n[::1\n[127.0.0.1]:0\n');
    const r = await mxprobe('-f', list);
    expect(r).toMatchObject({ code: 3, stdout: '' });
    expect(r.stderr).not.toMatch(STACK);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^mxprobe: .*bad\.txt:2: .*\[::1/),
      expect.stringMatching(/^mxprobe: .*bad\.txt:3: .*port 0/),
      expect.stringMatching(/^mxprobe: no usable destination/),
    ]);
  });
});

describe('startup', () => {
  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(cli.bin, ['--version']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim()).toBe(version);
  });

  it('--help exits 0 on stdout and lists the exit codes', async () => {
    const r = await runCli(cli.bin, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const code of ['0  OK', '1  WARNING', '2  CRITICAL', '3  UNKNOWN']) expect(r.stdout).toContain(code);
    expect(r.stdout).toMatch(/--level/);
  });

  it('the `probe` command word is the default command', async () => {
    const r = await runCli(cli.bin, ['probe', ...SHORT, '-q', local(refused)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^CRITICAL /);
  });
});
