// The built CLI against servers and input built to attack the admin's terminal or freeze the
// output: every control class (C0, ESC sequences, OSC 52, DEL, C1, bidi, invisible characters)
// in the banner, every reply, the EHLO keywords and the certificate's names, and in the user's
// own destinations, list lines, policy table, baseline and file names; and the longest
// unbroken strings a server can send (7 EHLO lines × 8,000 characters, an 8,000-character
// banner, an 8,000-character DC attribute). Every output format and stderr must carry the
// escapes (`\x1b`, `\u202e`), never the raw characters, and the table must finish in seconds.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki } from '../../fixtures/pki.js';
import { startRawServer, type RawServer } from '../../fixtures/raw-server.js';
import { tempDir } from '../../fixtures/temp.js';
import { BUILD_TIMEOUT_MS, builtCli, local, ROOT, runCli, SHORT, STACK, type Cli, type CliRun } from '../cli/helpers.js';
import { CONTROL_CLASSES, HOSTILE, hostileCertificate, hostileScript, RAW_CONTROL, rawControlAt } from './hostile-server.js';

let cli: Cli;
let servers: RawServer[] = [];
let hostile: RawServer;
let hostile2: RawServer;
let bigEhlo: RawServer;
let bigBanner: RawServer;
let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  const [built, pki] = await Promise.all([builtCli(), createPki()]);
  cli = built;
  const cert = hostileCertificate(pki.leaves.good.keyPem, HOSTILE);
  const longDc = hostileCertificate(pki.leaves.good.keyPem, '', 8000);
  servers = await Promise.all([
    startRawServer(hostileScript({ cert, text: HOSTILE })),
    startRawServer(hostileScript({ cert, text: HOSTILE })),
    startRawServer(hostileScript({ cert: longDc, text: '', ehloLines: 7, lineLength: 8000 })),
    startRawServer(hostileScript({ cert: longDc, text: '', bannerLength: 8000 })),
  ]);
  [hostile, hostile2, bigEhlo, bigBanner] = servers;
  dir = tempDir('mxprobe-hostile-');
  const h = local(hostile.port);
  writeFileSync(file('list.txt'), `${h}\nbad${HOSTILE}line\n${local(hostile2.port)}\n`);
  // Entries that probe (a hostile match= name), and keys and values Postfix would reject.
  writeFileSync(file('tls_policy'), [
    `${h} encrypt`,
    `${local(hostile2.port)} secure match=mx\u001b[2J\u202e\u0085.test.example`,
    `[x${HOSTILE}]:25 encrypt`,
    `[127.0.0.1]:1 secure match=mx.test.example${HOSTILE}`,
    '',
  ].join('\n'));
  writeFileSync(file('tls_policy.offline'), `example\u001b]52;c;cGF5bG9hZA==\u0007\u202e.com may\n[${'h'.repeat(10_000)}.example]:25 encrypt\n`);
  // A baseline whose every field carries the classes: a vanished destination and a changed one.
  const record = (destination: string, over: Record<string, unknown> = {}) => JSON.stringify({
    schemaVersion: 3, destination, host: `mx${HOSTILE}`, address: '192.0.2.1', port: 25, status: 'ok', findings: [], error: null,
    tls: { protocol: `TLSv1.3${HOSTILE}`, cipher: { name: `C${HOSTILE}` } },
    certificates: [{ sha256: `AB:CD${HOSTILE}`, notAfter: `2030${HOSTILE}` }], smtp: { ehloTls: [`K${HOSTILE}`] }, ...over,
  });
  writeFileSync(file('baseline.ndjson'), `${record(`gone${HOSTILE}.example`)}\n${record(h, { host: '127.0.0.1', address: '127.0.0.1', port: hostile.port })}\n`);
  writeFileSync(file('bad-baseline.ndjson'), `{"destination": "x${HOSTILE}", "host": 5}\n`);
  writeFileSync(file('not-json.ndjson'), `not json ${HOSTILE}\n`);
  writeFileSync(file('hostile-cert.pem'), cert.certPem);
  // An RFC 8460 report from someone else, every name in it hostile.
  const report = JSON.parse(readFileSync(join(ROOT, 'fixtures/tlsrpt/google.json'), 'utf8'));
  report['organization-name'] = `Evil${HOSTILE}`;
  report.policies[0].policy['policy-domain'] = `sts${HOSTILE}.example`;
  report.policies[0]['failure-details'][0]['receiving-mx-hostname'] = `mx${HOSTILE}`;
  writeFileSync(file('tlsrpt.json'), JSON.stringify(report));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  cli?.cleanup();
});

const mxprobe = (args: string[]) => runCli(cli.bin, args, { env: { NO_COLOR: '1' } });

/** No raw control character anywhere, and no stack trace. */
function expectClean(r: CliRun): void {
  expect(r.signal, r.stderr).toBeNull();
  expect(rawControlAt(r.stdout), 'stdout').toBeNull();
  expect(rawControlAt(r.stderr), 'stderr').toBeNull();
  expect(r.stderr).not.toMatch(STACK);
}

/** The hostile text reached this output, escaped (so the test exercised something). */
function expectEscaped(text: string): void {
  expect(text).toContain('\\x1b[2J');
  expect(text).toMatch(/\\u202e|\\x85/);
}

/** JSON whose decoded strings are terminal-safe too (what `jq -r` prints). */
function expectSafeStrings(value: unknown): void {
  const bad: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      // LF and TAB join reply lines in JSON (sanitize.ts safeJson).
      const at = rawControlAt(v.replace(/[\n\t]/g, ' '));
      if (at) bad.push(at);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  expect(bad).toEqual([]);
}

describe('every output format of a probe of a hostile server', () => {
  const h = () => local(hostile.port);
  // -q and Nagios say the server's words only in an error: RCPT gets a hostile 550 (--to, at a
  // level that lets MAIL go to an untrusted server).
  const rcpt = ['--level', 'encrypt', '--from', 'a@b.example', '--to', 'c@d.example'];
  it.each([
    ['table', [] as string[]],
    ['-q', ['-q', ...rcpt]],
    ['--format nagios', ['--format', 'nagios', ...rcpt]],
    ['-v transcript', ['-v']],
    ['--show-certs', ['--show-certs']],
    ['MAIL/RCPT replies', rcpt],
  ])('%s', async (_name, args) => {
    const r = await mxprobe([...SHORT, ...args, h()]);
    expect(r.code).toBe(2); // self-signed: untrusted at level verify; RCPT 550 with --to
    expectClean(r);
    expectEscaped(r.stdout);
  });

  it.each([
    // Label values: the sanitizer's escape, its backslash escaped again by the format.
    ['--format prometheus', ['--format', 'prometheus'], /\\\\u202e/],
    // The page's data is JSON in a script element; the page shows the escapes.
    ['--format html', ['--format', 'html'], /\\u001b\[2J.*\\u202e/s],
  ])('%s', async (_name, args, escaped) => {
    const r = await mxprobe([...SHORT, ...args, h()]);
    expect(r.code).toBe(2);
    expectClean(r);
    expect(r.stdout).toMatch(escaped);
  });

  it.each([['--json', ['--json']], ['--ndjson', ['--ndjson']]])('%s: escaped in the text and in every decoded string', async (_name, args) => {
    const r = await mxprobe([...SHORT, ...args, '--level', 'encrypt', '--to', 'c@d.example', h()]);
    expectClean(r);
    const docs = args[0] === '--json' ? [JSON.parse(r.stdout)] : r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expectSafeStrings(docs);
    const text = JSON.stringify(docs);
    // Each class went in and came out as an escape.
    for (const sample of Object.values(CONTROL_CLASSES)) expect(RAW_CONTROL.test(sample)).toBe(true);
    expect(text).toContain('\\\\x1b]52;c;cGF5bG9hZA==\\\\x07');
    expect(text).toContain('\\\\u202e');
    expect(text).toContain('\\\\x7f');
  });

  it('the certificate\'s names, escaped in the table', async () => {
    const r = await mxprobe([...SHORT, h()]);
    const subject = r.stdout.split('\n').findIndex((l) => l.startsWith('│ subject'));
    expect(subject).toBeGreaterThan(0);
    const rows = r.stdout.split('\n').slice(subject, subject + 12).join('\n');
    expect(rows).toMatch(/\\x85|\\u202e/);
    expect(r.stdout).toContain('DNS:evil\\x1b[2J\\x07\\x7f.test.example');
  });
});

describe('many destinations, lists and baselines', () => {
  it.each([
    ['summary table', []],
    ['-q', ['-q']],
    ['--json (summary on stderr)', ['--json']],
    ['--ndjson', ['--ndjson']],
    ['--format nagios', ['--format', 'nagios']],
  ])('-f list with a hostile line: %s', async (_name, args) => {
    const r = await mxprobe([...SHORT, ...args, '-f', file('list.txt')]);
    expect(r.code).toBe(2);
    expectClean(r);
    // The malformed line is named on stderr, escaped.
    expect(r.stderr).toMatch(/list\.txt:2: invalid destination/);
    expectEscaped(r.stderr);
  });

  it.each([
    ['table', []],
    ['-q', ['-q']],
    ['--json (changes on stderr)', ['--json']],
    ['--format nagios', ['--format', 'nagios']],
  ])('--baseline with hostile records: %s', async (_name, args) => {
    const r = await mxprobe([...SHORT, ...args, '--baseline', file('baseline.ndjson'), local(hostile.port)]);
    expect(r.code).toBe(2);
    expectClean(r);
    expectEscaped(r.stdout + r.stderr);
    expect(r.stdout + r.stderr).toMatch(/changes since .*baseline\.ndjson/);
  });
});

describe('the user\'s own hostile input, on stderr', () => {
  it.each([
    ['a destination', () => [...SHORT, `x${HOSTILE}y`]],
    ['a bracketed destination', () => [...SHORT, `[x${HOSTILE}]:25`]],
    ['--ehlo', () => [...SHORT, '--ehlo', `x${HOSTILE}`, local(hostile.port)]],
    ['--from', () => [...SHORT, '--from', `x${HOSTILE}@a.example`, '--to', 'a@b.example', local(hostile.port)]],
    ['an unknown option', () => [`--x${HOSTILE}`]],
    ['a missing -f file', () => [...SHORT, '-f', `/nonexistent/${HOSTILE}`]],
    ['a missing --ca-file', () => [...SHORT, '--ca-file', `/nonexistent/${HOSTILE}`, local(hostile.port)]],
    ['a baseline with a wrong type', () => [...SHORT, '--baseline', file('bad-baseline.ndjson'), local(hostile.port)]],
    ['a baseline line that is not JSON', () => [...SHORT, '--baseline', file('not-json.ndjson'), local(hostile.port)]],
    ['a missing policy file', () => ['policy', `/nonexistent/${HOSTILE}`]],
    ['tlsa with a missing certificate', () => ['tlsa', '--cert', `/nonexistent/${HOSTILE}`, '--name', 'mx.test.example']],
  ])('%s: a one-line usage error, escaped', async (_name, args) => {
    const r = await mxprobe(args());
    expect(r.code).toBe(3);
    expectClean(r);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^mxprobe/);
  });

  it('a bad destination is quoted with its escapes', async () => {
    const r = await mxprobe([`x${HOSTILE}y`]);
    expectEscaped(r.stderr);
  });
});

describe('policy, scan and tlsa outputs', () => {
  it.each([
    ['table', []],
    ['-q', ['-q']],
    ['--json', ['--json']],
    ['--ndjson', ['--ndjson']],
    ['--format nagios', ['--format', 'nagios']],
  ])('policy %s', async (_name, args) => {
    const r = await mxprobe(['policy', ...args, file('tls_policy')]);
    expect(r.code).toBe(2);
    expectClean(r);
    // Nagios names the failing entries, not the server's words.
    if (args[0] !== '--format') expectEscaped(r.stdout + r.stderr);
    if (args[0] === '--json') expectSafeStrings(JSON.parse(r.stdout));
  });

  it('policy --offline: hostile and 10,000-character keys', async () => {
    const started = Date.now();
    const r = await mxprobe(['policy', '--offline', file('tls_policy.offline')]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expectClean(r);
    expect(r.stdout).toContain('\\x1b]52;c;');
    expect(r.stdout).toContain('\\u202e.com');
    // The lint lines quote the 10,000-character key bounded, like a table cell.
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThan(1000);
  });

  it.each([['table', []], ['--json', ['--json']]])('scan --quick %s', async (_name, args) => {
    const r = await mxprobe(['scan', '--quick', ...args, local(hostile.port)]);
    expectClean(r);
    expect(r.stdout).toMatch(/\\x85|\\u202e/);
    if (args[0] === '--json') expectSafeStrings(JSON.parse(r.stdout));
  });

  it.each([['text', []], ['--json', ['--json']]])('tlsrpt %s on a report whose every string is hostile', async (_name, args) => {
    const r = await mxprobe(['tlsrpt', ...args, file('tlsrpt.json')]);
    expect(r.code).toBe(1); // the fixture report's failures
    expectClean(r);
    expect(r.stdout).toContain('\\u202e');
    if (args[0] === '--json') expectSafeStrings(JSON.parse(r.stdout));
  });

  it('tlsa on a certificate with hostile names', async () => {
    const r = await mxprobe(['tlsa', '--cert', file('hostile-cert.pem'), '--name', 'mx.test.example']);
    expect(r.code).toBe(0);
    expectClean(r);
    expect(r.stdout).toMatch(/\\u202e/);
  });
});

describe('the longest unbroken strings a server can send', () => {
  // Before the renderer bounded its cells these runs took minutes of CPU (the EHLO one over
  // 800 s) and could not be stopped with SIGTERM.
  it.each([
    ['a 56 KB EHLO reply (7 × 8,000 characters) and an 8,000-character DC', () => bigEhlo.port, /… \d+ more bytes, see/],
    ['an 8,000-character banner', () => bigBanner.port, /B{20}/],
  ])('%s: the table in seconds', async (_name, port, shown) => {
    const started = Date.now();
    const r = await mxprobe([...SHORT, local(port())]);
    const ms = Date.now() - started;
    expect(r.code).toBe(2);
    expect(ms).toBeLessThan(10_000);
    expect(r.stdout).toMatch(shown);
    expect(r.stdout).toContain('DC=dddd');
    for (const line of r.stdout.split('\n').slice(1, -2)) expect([...line].length).toBe(100);
  });

  it('policy with a 10,000-character match= name, probing the 56 KB EHLO server, in seconds', async () => {
    writeFileSync(file('long-match'), `${local(bigEhlo.port)} secure match=${'m'.repeat(10_000)}.example\n`);
    const started = Date.now();
    const r = await mxprobe(['policy', file('long-match')]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(2);
    expectClean(r);
  });
});
