// What the built CLI prints, as a script or a person would read it: JSON that parses,
// NDJSON line by line, -q and Nagios one-liners, the -v transcript, --show-certs PEM, and
// colour only on a terminal without NO_COLOR.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { ANSI, builtCli, closedPort, local, runCli, runProcess, SHORT, STACK, type Cli, BUILD_TIMEOUT_MS } from './helpers.js';

let cli: Cli;
let pki: Pki;
let chain: SmtpFixture;
let full: SmtpFixture;
let leafOnly: SmtpFixture;
let noTls: SmtpFixture;
let refused: number;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  [chain, full, leafOnly, noTls] = await Promise.all([
    startSmtpFixture({ leaf: pki.leaves.good }),
    startSmtpFixture({ leaf: pki.leaves.good, chain: 'full' }),
    startSmtpFixture({ leaf: pki.leaves.good, chain: 'leafOnly' }),
    startSmtpFixture({ leaf: pki.leaves.good, noStarttls: true }),
  ]);
  refused = await closedPort();
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([chain, full, leafOnly, noTls].map((s) => s?.close()));
  cli?.cleanup();
});

const mxprobe = (...args: string[]) => runCli(cli.bin, [...SHORT, '--ca-file', pki.root.path, '--servername', TEST_HOST, ...args]);

// DESIGN.md "Result": the keys every ProbeResult carries.
const RESULT_KEYS = ['destination', 'nexthop', 'mx', 'host', 'address', 'port', 'mode', 'level', 'status', 'findings', 'error', 'smtp', 'tls', 'certificates', 'verification', 'timingMs'];
const SMTP_KEYS = ['banner', 'ehlo', 'starttls', 'ehloTls', 'replies'];
const TLS_KEYS = ['protocol', 'cipher', 'keyExchange', 'servername', 'alpn', 'sessionReused'];
const CERT_KEYS = ['subject', 'issuer', 'serial', 'san', 'notBefore', 'notAfter', 'daysRemaining', 'key', 'signatureAlgorithm', 'sha256', 'spkiSha256', 'isCA', 'selfSigned'];
const VERIFICATION_KEYS = ['trusted', 'error', 'hostnameMatch', 'matchedName', 'checkedNames', 'fingerprintMatch'];
const TIMING_KEYS = ['resolve', 'connect', 'banner', 'ehlo', 'starttls', 'handshake', 'total'];

describe('--json', () => {
  it('stdout is one JSON array of ProbeResults with schemaVersion and the keys of DESIGN.md', async () => {
    const r = await mxprobe('--json', local(chain.port));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(Array.isArray(doc)).toBe(true);
    expect(doc).toHaveLength(1);
    const [p] = doc;
    expect(p.schemaVersion).toEqual(expect.any(Number));
    expect(Object.keys(p)).toEqual(expect.arrayContaining(RESULT_KEYS));
    expect(Object.keys(p.smtp)).toEqual(expect.arrayContaining(SMTP_KEYS));
    expect(Object.keys(p.tls)).toEqual(expect.arrayContaining(TLS_KEYS));
    expect(Object.keys(p.tls.cipher)).toEqual(expect.arrayContaining(['name', 'standardName', 'bits']));
    expect(Object.keys(p.tls.keyExchange)).toEqual(expect.arrayContaining(['type', 'group', 'bits']));
    expect(Object.keys(p.verification)).toEqual(expect.arrayContaining(VERIFICATION_KEYS));
    expect(Object.keys(p.timingMs)).toEqual(expect.arrayContaining(TIMING_KEYS));
    expect(p.certificates).toHaveLength(2);
    for (const c of p.certificates) expect(Object.keys(c)).toEqual(expect.arrayContaining(CERT_KEYS));
    expect(p).toMatchObject({
      destination: local(chain.port), address: '127.0.0.1', port: chain.port, mode: 'starttls', level: 'verify', status: 'ok', error: null,
      verification: { trusted: true, hostnameMatch: true },
    });
    expect(p.certificates[0].sha256).toBe(pki.leaves.good.sha256);
    expect(p.certificates[0].spkiSha256).toBe(pki.leaves.good.spkiSha256);
    expect(r.stdout).not.toMatch(ANSI);
  });

  it('several destinations, failures included, stay one document; -v adds the transcript inside it', async () => {
    const r = await mxprobe('--json', '-v', local(chain.port), local(refused));
    expect(r.code).toBe(2);
    // a run summary may go to stderr; stdout stays JSON only
    expect(r.stderr).not.toMatch(STACK);
    const doc = JSON.parse(r.stdout) as Array<Record<string, any>>;
    expect(doc).toHaveLength(2);
    const byPort = new Map(doc.map((p) => [p.port, p]));
    expect(byPort.get(refused)).toMatchObject({ status: 'critical', error: { phase: 'connect', code: 'refused' }, tls: null });
    expect(byPort.get(chain.port)!.smtp.transcript).toEqual(expect.arrayContaining([expect.objectContaining({ dir: '->' })]));
  });

  it('--format json is the same as --json', async () => {
    const r = await mxprobe('--format', 'json', local(chain.port));
    expect(JSON.parse(r.stdout)).toHaveLength(1);
  });
});

describe('--ndjson', () => {
  it('one valid JSON ProbeResult per line, one line per probe', async () => {
    const r = await mxprobe('--ndjson', local(chain.port), local(noTls.port), local(refused));
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stdout.slice(0, -1).split('\n');
    expect(lines).toHaveLength(3);
    const results = lines.map((l) => JSON.parse(l) as Record<string, any>);
    for (const p of results) {
      expect(p.schemaVersion).toEqual(expect.any(Number));
      expect(Object.keys(p)).toEqual(expect.arrayContaining(RESULT_KEYS));
    }
    expect(results.map((p) => p.port).sort()).toEqual([chain.port, noTls.port, refused].sort());
  });
});

describe('-q and --format nagios', () => {
  it('-q prints one verdict line per probe', async () => {
    const r = await mxprobe('-q', local(chain.port), local(noTls.port), local(refused));
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.includes(`:${chain.port} `))).toMatch(/^OK \[127\.0\.0\.1\]:\d+ TLSv1\.[23] \S+ .*trusted, name matches/);
    expect(lines.find((l) => l.includes(`:${noTls.port} `))).toMatch(/^CRITICAL .*starttls-not-offered/);
    expect(lines.find((l) => l.includes(`:${refused} `))).toMatch(/^CRITICAL .*refused/);
  });

  it('--format nagios prints the plugin line with performance data', async () => {
    const r = await mxprobe('--format', 'nagios', local(chain.port));
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^SMTP-TLS OK - .+\|.+/);
  });

  it('--format nagios says CRITICAL and exits 2 when a probe fails', async () => {
    const r = await mxprobe('--format', 'nagios', local(refused));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^SMTP-TLS CRITICAL - /);
  });
});

describe('table, -v and --show-certs', () => {
  it('the table starts with the verdict line', async () => {
    const r = await mxprobe(local(chain.port));
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^OK \[127\.0\.0\.1\]:\d+ TLSv1\.[23] /);
    expect(r.stdout).toContain('CERTIFICATE CHAIN');
  });

  it('several destinations end with a summary', async () => {
    const r = await mxprobe(local(chain.port), local(refused));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/2 probes: .*1 critical.*1 ok/);
  });

  it('-v shows the conversation with ->, <- and == marks, TLS included', async () => {
    const r = await mxprobe('-v', local(chain.port));
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^-> EHLO /));
    expect(lines).toContainEqual(expect.stringMatching(/^<- 250[ -]/));
    expect(lines).toContainEqual(expect.stringMatching(/^-> STARTTLS$/));
    expect(lines).toContainEqual(expect.stringMatching(/^<- 220 /));
    expect(lines).toContainEqual(expect.stringMatching(/^== .*TLSv1\.[23]/));
    expect(lines).toContainEqual(expect.stringMatching(/^-> QUIT$/));
    // EHLO is sent again inside TLS (RFC 3207 §4.2)
    expect(lines.filter((l) => /^-> EHLO /.test(l))).toHaveLength(2);
  });

  it.each([
    ['leaf + intermediate', () => chain, 2],
    ['leaf + intermediate + root', () => full, 3],
    ['leaf alone', () => leafOnly, 1],
  ] as const)('--show-certs prints one PEM block per certificate served (%s)', async (_name, server, count) => {
    const r = await mxprobe('--show-certs', local(server().port));
    const begins = r.stdout.match(/^-----BEGIN CERTIFICATE-----$/gm) ?? [];
    const ends = r.stdout.match(/^-----END CERTIFICATE-----$/gm) ?? [];
    expect(begins).toHaveLength(count);
    expect(ends).toHaveLength(count);
    expect(r.stdout).toContain(pki.leaves.good.certPem.trim().split('\n')[1]);
  });
});

describe('colour', () => {
  const formats: Array<[string, string[]]> = [['table', []], ['-v', ['-v']], ['-q', ['-q']], ['--show-certs', ['--show-certs']], ['nagios', ['--format', 'nagios']]];

  it.each(formats)('no ANSI escapes when stdout is a pipe (%s)', async (_name, flags) => {
    const r = await mxprobe(...flags, local(chain.port), local(noTls.port));
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stderr).not.toMatch(ANSI);
  });

  // util-linux `script` gives the child a terminal; without it there is no portable TTY here.
  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const underTty = (env: Record<string, string | undefined>) => {
    const args = [process.execPath, cli.bin, ...SHORT, '--ca-file', pki.root.path, '--servername', TEST_HOST, '-q', local(chain.port)];
    return runProcess('script', ['-qec', args.map(quote).join(' '), '/dev/null'], { env: { TERM: 'xterm', ...env } });
  };

  it.skipIf(!hasScript)('a terminal gets colour', async () => {
    const r = await underTty({});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OK/);
    expect(r.stdout).toMatch(ANSI);
  });

  it.skipIf(!hasScript)('NO_COLOR turns colour off even on a terminal', async () => {
    const r = await underTty({ NO_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK \[127\.0\.0\.1\]/);
    expect(r.stdout).not.toMatch(ANSI);
  });
});
