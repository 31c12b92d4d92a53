// Every level × fixture scenario through a tls_policy entry: the servers are the smtp-server
// fixtures on 127.0.0.1, the MX records come from the DNS fixture, the trust anchor is the test
// root. The expected verdicts are what posttls-finger says for the same servers; the last block
// checks that against the real posttls-finger where Postfix is installed.
import { closedPort } from '../../fixtures/closed-port.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture, type SmtpFixtureOptions } from '../../fixtures/smtp-fixture.js';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import {
  judgeHost, policyDestination, policyProbeOptions, unprobedVerdict, verifyErrorMessage,
  type PolicyVerdict, type TlsConnectionClass,
} from '../../src/policy/evaluate.js';
import { checkPolicy } from '../../src/policy/check.js';
import { postfixOutcome } from '../../src/levels.js';
import { lintPolicy } from '../../src/policy/lint.js';
import { parsePolicyTable, type PolicyEntry } from '../../src/policy/table.js';
import type { Level, ProbeOptions } from '../../src/types.js';
import { findPosttlsFinger, runPosttlsFinger } from '../../fixtures/policy/posttls-finger.js';

const SHORT = { connectTimeoutMs: 3000, timeoutMs: 3000, bannerTimeoutMs: 3000, tlsTimeoutMs: 3000, deadlineMs: 15_000 } as const;
type Scenario = 'trusted' | 'selfSigned' | 'expired' | 'wrongName' | 'noIntermediate' | 'noStarttls';

let pki: Pki;
let dns: DnsFixture;
const servers = {} as Record<Scenario, SmtpFixture>;
let base: ProbeOptions;

beforeAll(async () => {
  pki = await createPki();
  const L = pki.leaves;
  const specs: Record<Scenario, SmtpFixtureOptions> = {
    trusted: { leaf: L.good },
    selfSigned: { leaf: L.selfSigned },
    expired: { leaf: L.expired },
    wrongName: { leaf: L.wrongName },
    noIntermediate: { leaf: L.good, chain: 'leafOnly' },
    noStarttls: { leaf: L.good, noStarttls: true },
  };
  await Promise.all(Object.entries(specs).map(async ([name, o]) => {
    servers[name as Scenario] = await startSmtpFixture(o);
  }));
  dns = await startDnsServer({
    // test.example: its one MX host is named in every fixture certificate but wrongName's.
    'test.example': { MX: [{ preference: 10, exchange: TEST_HOST }] },
    [TEST_HOST]: { A: ['127.0.0.1'] },
    // Two MX hosts on the same server: the first name is not in the certificate.
    'two.example': { MX: [{ preference: 10, exchange: 'mx1.other.example' }, { preference: 20, exchange: 'mx.test.example' }] },
    // Three: the good one comes after two failing sessions (smtp_mx_session_limit = 2).
    'three.example': { MX: [{ preference: 10, exchange: 'mx1.other.example' }, { preference: 20, exchange: 'mx2.other.example' }, { preference: 30, exchange: 'mx.test.example' }] },
    'mx1.other.example': { A: ['127.0.0.1'] },
    'mx2.other.example': { A: ['127.0.0.1'] },
  });
  base = { ca: pki.root.pem, ehlo: 'client.test.example', resolver: [dns.server], ...SHORT };
}, 60_000);

afterAll(async () => {
  await Promise.all([...Object.values(servers).map((s) => s.close()), dns?.close()]);
});

function entryOf(text: string): { entry: PolicyEntry; lint: ReturnType<typeof lintPolicy> } {
  const table = parsePolicyTable(`${text}\n`);
  return { entry: table.entries[0], lint: lintPolicy(table) };
}

/** Every entry of `text` through checkPolicy (the run engine), the verdict of line `line`. */
async function evaluate(text: string, ctx: { domain?: string; offline?: boolean; defaultPort?: number } = {}, line = 1): Promise<PolicyVerdict> {
  const { verdicts } = await checkPolicy(parsePolicyTable(`${text}\n`), base, { concurrency: 8, perHost: 4, retryDelayMs: 10, ...ctx });
  return verdicts.find((v) => v.line === line)!;
}

// deliver?, status, and how Postfix would log the TLS connection ('-' = no TLS at all).
type Expect = [deliver: boolean, status: 'ok' | 'warning' | 'critical', tls: TlsConnectionClass | '-', because: RegExp];
const PASS_VERIFIED: Expect = [true, 'ok', 'Verified', /Verified TLS connection established to mx\.test\.example\[127\.0\.0\.1\]:\d+: TLSv1\.3 with cipher/];
const NOT_VERIFIED = (why: RegExp): Expect => [false, 'critical', 'Untrusted', why];
const SELF_SIGNED = /Server certificate not verified \(certificate verification failed for mx\.test\.example\[127\.0\.0\.1\]:\d+: self-signed certificate\)/;
const EXPIRED = /Server certificate not verified \(server certificate verification failed for .*: certificate has expired\)/;
const MISMATCH = /Server certificate not verified \(server certificate verification failed for .*: num=62:hostname mismatch\)/;
const NO_INT = /Server certificate not verified \(certificate verification failed for .*: untrusted issuer \/O=mxprobe tests\/CN=mxprobe Test Intermediate CA\)/;
const NO_FPT = /Server certificate not verified \(server certificate verification failed for .*: num=65:no matching DANE TLSA records/;
const NOT_OFFERED = /TLS is required, but was not offered by host mx\.test\.example\[127\.0\.0\.1\]:\d+/;

const MATRIX: Record<Exclude<Level, 'dane' | 'dane-only'>, Record<Scenario, Expect>> = {
  none: {
    trusted: [true, 'ok', '-', /plaintext to mx\.test\.example\[127\.0\.0\.1\]:\d+ \(TLS disabled at level none\)/],
    selfSigned: [true, 'ok', '-', /plaintext/],
    expired: [true, 'ok', '-', /plaintext/],
    wrongName: [true, 'ok', '-', /plaintext/],
    noIntermediate: [true, 'ok', '-', /plaintext/],
    noStarttls: [true, 'ok', '-', /plaintext/],
  },
  may: {
    trusted: [true, 'ok', 'Trusted', /Trusted TLS connection established/],
    selfSigned: [true, 'ok', 'Untrusted', /Untrusted TLS connection established/],
    expired: [true, 'ok', 'Untrusted', /Untrusted TLS connection established/],
    wrongName: [true, 'ok', 'Trusted', /Trusted TLS connection established/],
    noIntermediate: [true, 'ok', 'Untrusted', /Untrusted TLS connection established/],
    noStarttls: [true, 'warning', '-', /TLS not offered by host mx\.test\.example\[127\.0\.0\.1\]:\d+: plaintext/],
  },
  encrypt: {
    trusted: [true, 'ok', 'Trusted', /Trusted TLS connection established/],
    selfSigned: [true, 'ok', 'Untrusted', /Untrusted TLS connection established/],
    expired: [true, 'ok', 'Untrusted', /Untrusted TLS connection established/],
    wrongName: [true, 'ok', 'Trusted', /Trusted TLS connection established/],
    noIntermediate: [true, 'ok', 'Untrusted', /Untrusted TLS connection established/],
    noStarttls: [false, 'critical', '-', NOT_OFFERED],
  },
  fingerprint: {
    trusted: PASS_VERIFIED,
    selfSigned: NOT_VERIFIED(NO_FPT),
    expired: NOT_VERIFIED(NO_FPT),
    wrongName: NOT_VERIFIED(NO_FPT),
    noIntermediate: PASS_VERIFIED,
    noStarttls: [false, 'critical', '-', NOT_OFFERED],
  },
  verify: {
    trusted: PASS_VERIFIED,
    selfSigned: NOT_VERIFIED(SELF_SIGNED),
    expired: NOT_VERIFIED(EXPIRED),
    wrongName: NOT_VERIFIED(MISMATCH),
    noIntermediate: NOT_VERIFIED(NO_INT),
    noStarttls: [false, 'critical', '-', NOT_OFFERED],
  },
  secure: {
    trusted: PASS_VERIFIED,
    selfSigned: NOT_VERIFIED(SELF_SIGNED),
    expired: NOT_VERIFIED(EXPIRED),
    wrongName: NOT_VERIFIED(MISMATCH),
    noIntermediate: NOT_VERIFIED(NO_INT),
    noStarttls: [false, 'critical', '-', NOT_OFFERED],
  },
};

const CASES = Object.entries(MATRIX).flatMap(([level, row]) =>
  Object.entries(row).map(([scenario, expected]) => [level as Level, scenario as Scenario, expected] as const));

describe('level × scenario, domain key (MX lookup through the DNS fixture)', () => {
  test.each(CASES)('%s × %s', async (level, scenario, [deliver, status, tls, because]) => {
    const match = level === 'fingerprint' ? ` match=${pki.leaves.good.sha256}` : '';
    const v = await evaluate(`test.example:${servers[scenario].port} ${level}${match}`);
    expect(v.deliver).toBe(deliver);
    expect(v.state).toBe(deliver ? 'deliver' : 'defer');
    expect(v.status).toBe(status);
    expect(v.because).toMatch(because);
    expect(v.because).toMatch(deliver ? /^Postfix would deliver: / : /^Postfix would defer: /);
    expect(v.hosts).toHaveLength(1);
    expect(v.hosts[0].tls ?? '-').toBe(tls);
    expect(v.results).toHaveLength(1);
    expect(v.results[0].level).toBe(level);
    expect(v.destination).toBe(`test.example:${servers[scenario].port}`);
  });
});

describe('[127.0.0.1]:port keys: no MX lookup, names from match=', () => {
  test.each([
    ['verify match=mx.test.example', 'trusted', true],
    ['secure match=mx.test.example', 'trusted', true],
    ['secure match=.test.example', 'trusted', true],
    // Postfix's default "hostname" is 127.0.0.1 here; the certificate names mx.test.example only.
    ['verify', 'trusted', false],
    ['secure match=mx.test.example', 'wrongName', false],
    ['secure match=other.example.net', 'wrongName', true],
    ['verify match=mx.test.example', 'noIntermediate', false],
    ['encrypt', 'selfSigned', true],
  ] as const)('%s on %s', async (policy, scenario, deliver) => {
    const v = await evaluate(`[127.0.0.1]:${servers[scenario].port} ${policy}`);
    expect(v.destination).toBe(`[127.0.0.1]:${servers[scenario].port}`);
    expect(v.deliver).toBe(deliver);
    expect(v.hosts[0].label).toBe(`127.0.0.1[127.0.0.1]:${servers[scenario].port}`);
  });
});

describe('MX order and smtp_mx_session_limit', () => {
  test('first MX fails verify, second passes: deliver, warning, the failing host named', async () => {
    const v = await evaluate(`two.example:${servers.trusted.port} verify`);
    expect(v.deliver).toBe(true);
    expect(v.status).toBe('warning');
    expect(v.hosts.map((h) => [h.host, h.pass])).toEqual([['mx1.other.example', false], ['mx.test.example', true]]);
    expect(v.because).toMatch(/^Postfix would deliver: Verified TLS connection established to mx\.test\.example.*; 1 of 2 hosts would fail: Server certificate not verified \(server certificate verification failed for mx1\.other\.example\[127\.0\.0\.1\]:\d+: num=62:hostname mismatch\)/);
  });

  test('the passing MX comes third: certificate failures are handshake errors, not sessions, so Postfix still reaches it', async () => {
    // smtp_connect.c: "Don't count handshake errors towards the session limit".
    const v = await evaluate(`three.example:${servers.trusted.port} verify`);
    expect(v.hosts.map((h) => h.pass)).toEqual([false, false, true]);
    expect(v.deliver).toBe(true);
    expect(v.status).toBe('warning');
  });

  test('secure ignores the MX host name: nexthop two.example is in no certificate', async () => {
    const v = await evaluate(`two.example:${servers.trusted.port} secure`);
    expect(v.deliver).toBe(false);
    expect(v.hosts.every((h) => /hostname mismatch/.test(h.detail ?? ''))).toBe(true);
  });

  test('unknown domain: defer with the DNS error', async () => {
    const v = await evaluate('nowhere.example encrypt');
    expect(v.deliver).toBe(false);
    expect(v.because).toMatch(/^Postfix would defer: Host or domain name not found/);
  });

  test('connection refused: Postfix words', async () => {
    const port = await closedPort();
    const v = await evaluate(`[127.0.0.1]:${port} may`);
    expect(v.deliver).toBe(false);
    expect(v.because).toBe(`Postfix would defer: connect to 127.0.0.1[127.0.0.1]:${port}: Connection refused`);
  });
});

describe('patterns, --domain, offline, duplicates, invalid entries', () => {
  test('a .domain pattern is not probed without --domain', async () => {
    const v = await evaluate('.test.example verify');
    expect(v.deliver).toBeNull();
    expect(v.state).toBe('not-probed');
    expect(v.results).toEqual([]);
    expect(v.because).toMatch(/pattern for every subdomain of test\.example: not probed \(use --domain NAME/);
  });

  test('with --domain under it, the pattern is probed as that domain', async () => {
    // sub.test.example has no MX: Postfix falls back to its A record... which it lacks here.
    dns.zone['sub.test.example'] = { MX: [{ preference: 10, exchange: TEST_HOST }] };
    const v = await evaluate('.test.example secure', { domain: 'sub.test.example', defaultPort: servers.trusted.port });
    expect(v.destination).toBe(`sub.test.example:${servers.trusted.port}`);
    expect(v.results.map((r) => r.nexthop)).toEqual(['sub.test.example']);
    // secure: nexthop sub.test.example, dot-nexthop .sub.test.example — mx.test.example is neither.
    expect(v.deliver).toBe(false);
  });

  test('--domain outside the pattern: not probed, says why', () => {
    const { entry } = entryOf('.test.example verify');
    expect(policyDestination(entry, { domain: 'example.org' })).toEqual({ skip: 'pattern for subdomains of test.example: --domain example.org is not one of them, not probed' });
  });

  test('offline: nothing probed, lint kept', async () => {
    const v = await evaluate('test.example encrypt protocols=TLSv1', { offline: true });
    expect(v.deliver).toBeNull();
    expect(v.because).toBe('not probed (--offline)');
    expect(v.lint.map((f) => f.code)).toEqual(['obsolete-protocols']);
    expect(v.status).toBe('warning');
  });

  test.each([
    ['x.example must', /invalid security level "must"/],
    ['x.example verify mtach=hostname', /invalid attribute name: "mtach"/],
    ['x.example may match=hostname', /attribute "match" invalid at security level "may"/],
  ])('invalid entry %j: Postfix defers all its mail, nothing probed', async (text, why) => {
    const v = await evaluate(text);
    expect(v.state).toBe('invalid');
    expect(v.deliver).toBe(false);
    expect(v.status).toBe('critical');
    expect(v.because).toMatch(/^Postfix would defer all mail for this destination: 4\.7\.5 client TLS configuration problem \(/);
    expect(v.because).toMatch(why);
    expect(v.results).toEqual([]);
  });

  test('a duplicate key is never probed', async () => {
    const v = await evaluate(`[127.0.0.1]:${servers.trusted.port} may\n[127.0.0.1]:${servers.trusted.port} encrypt`, {}, 2);
    expect(v.results).toEqual([]);
    expect(v.deliver).toBeNull();
    expect(v.because).toBe('duplicate of the entry at line 1: Postfix never uses this one');
  });

  test('fingerprint without match=: Postfix marks the policy invalid', async () => {
    const v = await evaluate(`[127.0.0.1]:${servers.trusted.port} fingerprint`);
    expect(v.deliver).toBe(false);
    expect(v.because).toMatch(/no fingerprints to match/);
  });

  test('dane and dane-only go through the TLSA lookup: an IP literal has no TLSA base domain (RFC 7672 §2.2.3)', async () => {
    const only = await evaluate(`[127.0.0.1]:${servers.trusted.port} dane-only`);
    expect(only.state).toBe('defer');
    expect(only.status).toBe('critical');
    expect(only.results[0].dane?.effectiveLevel).toBe('defer');
    expect(only.results[0].findings.map((f) => f.code)).toContain('dane-required');
    const dane = await evaluate(`[127.0.0.1]:${servers.noStarttls.port} dane`);
    expect(dane.deliver).toBe(true);
    expect(dane.hosts[0].plaintext).toBe(true);
    expect(dane.results[0].dane?.effectiveLevel).toBe('may');
  });
});

describe('policyProbeOptions: the entry on top of the CLI base', () => {
  const b: ProbeOptions = { ca: 'PEM', resolver: ['127.0.0.1:53'], match: ['leftover'], servername: 'cli.example' };
  test.each([
    ['example.com verify', { level: 'verify', match: ['hostname'], servername: undefined }],
    ['example.com secure', { level: 'secure', match: ['nexthop', 'dot-nexthop'] }],
    ['[mx.example.com]:587 verify', { level: 'verify', match: ['mx.example.com'] }],
    ['example.com secure match=.example.com:mail.example.com', { match: ['.example.com', 'mail.example.com'] }],
    ['example.com encrypt protocols=>=TLSv1.2 ciphers=high exclude=3DES', { protocols: '>=TLSv1.2', ciphers: 'high', excludeCiphers: '3DES', match: undefined }],
    ['example.com may servername=mail.example.com', { servername: 'mail.example.com' }],
    ['example.com may servername=hostname', { servername: undefined }],
    ['example.com may servername=nexthop', { servername: 'example.com' }],
  ] as const)('%s', (text, expected) => {
    const { options } = policyProbeOptions(entryOf(text).entry, b);
    expect(options).toMatchObject({ ca: 'PEM', resolver: ['127.0.0.1:53'], ...expected });
  });

  test('servername= with match=hostname on an MX destination: the difference is noted', () => {
    const { notes } = policyProbeOptions(entryOf('example.com verify servername=mail.example.com').entry, b);
    expect(notes.join(' ')).toMatch(/Postfix checks the MX host name/);
  });

  test('tafile= replaces the trust store when the command could read it', () => {
    const e = entryOf('example.com verify tafile=/etc/ta.pem').entry;
    expect(policyProbeOptions(e, b, { tafiles: new Map([['/etc/ta.pem', 'TA']]) }).options.ca).toBe('TA');
    expect(policyProbeOptions(e, b).options.ca).toBe('PEM');
  });
});

describe('pure judgement', () => {
  test('verifyErrorMessage: SELF_SIGNED_CERT_IN_CHAIN names the issuer of the last certificate sent', () => {
    const r = {
      host: 'mx', address: '192.0.2.1', port: 25,
      certificates: [{ issuer: 'CN=Int' }, { issuer: 'O=Evil, CN=Root' }],
      verification: { trusted: false, hostnameMatch: true, error: { reason: 'certificate-not-trusted', openssl: 'SELF_SIGNED_CERT_IN_CHAIN' } },
    } as unknown as Parameters<typeof verifyErrorMessage>[0];
    expect(verifyErrorMessage(r)).toBe('certificate verification failed for mx[192.0.2.1]:25: untrusted issuer /O=Evil/CN=Root');
  });

  test('judgeHost: a may handshake failure still delivers, in plaintext', () => {
    const at = (level: Level) => {
      const r = {
        host: 'mx', address: '192.0.2.1', port: 25, tls: null, certificates: [], verification: null, level, status: 'warning',
        mode: 'starttls', smtp: { banner: { code: 220, text: '' }, starttls: { offered: true, reply: { code: 220 } } },
        error: { phase: 'handshake', code: 'tls-handshake', message: 'wrong version number' },
      } as unknown as Parameters<typeof judgeHost>[0];
      r.postfix = postfixOutcome(r);
      return r;
    };
    expect(judgeHost(at('may'))).toMatchObject({ pass: true, plaintext: true });
    expect(judgeHost(at('encrypt'))).toMatchObject({ pass: false, message: 'Cannot start TLS: handshake failure (wrong version number)' });
  });

  test('unprobedVerdict of a valid entry takes its status from its lint', () => {
    const { entry, lint } = entryOf('x.example encrypt protocols=TLSv1');
    expect(unprobedVerdict(entry, lint, 'r')).toMatchObject({ deliver: null, status: 'warning', because: 'r' });
  });
});

// The same servers through posttls-finger: how it logs the connection (Verified / Trusted /
// Untrusted / Anonymous, or no TLS at all), its certificate verification error, and what smtp(8)
// would therefore do at that level. [127.0.0.1]:PORT keys so both connect to the same thing with
// the same names (match=mx.test.example; posttls-finger takes match names as arguments).
const PTF = findPosttlsFinger();
const PTF_REQUIRED = process.env.CI === 'true';
if (!PTF && !PTF_REQUIRED) {
  console.warn('\n*** SKIPPING the posttls-finger comparison: posttls-finger not found (apt-get install postfix) ***\n');
}

describe.skipIf(!PTF && !PTF_REQUIRED)('same verdict as posttls-finger', () => {
  const LEVELS = ['none', 'may', 'encrypt', 'fingerprint', 'verify', 'secure'] as const;
  const SCENARIOS: Scenario[] = ['trusted', 'selfSigned', 'expired', 'wrongName', 'noIntermediate', 'noStarttls'];
  const COMBOS = LEVELS.flatMap((level) => SCENARIOS.map((scenario) => [level, scenario] as const));

  test.each(COMBOS)('%s × %s', async (level, scenario) => {
    if (!PTF) throw new Error('posttls-finger is required when CI=true (apt-get install postfix)');
    const port = servers[scenario].port;
    const match = level === 'fingerprint' ? [pki.leaves.good.sha256] : level === 'verify' || level === 'secure' ? [TEST_HOST] : [];
    const [ptf, v] = await Promise.all([
      runPosttlsFinger(PTF, { level, port, caFile: pki.root.path, match }),
      evaluate(`[127.0.0.1]:${port} ${level}${match.length ? ` match=${match.join(level === 'fingerprint' ? '|' : ':')}` : ''}`),
    ]);
    expect(ptf.exitCode, ptf.output).toBe(0);
    // What smtp(8) does with that posttls-finger outcome at this level.
    const ptfDelivers = level === 'none' || level === 'may' || (level === 'encrypt' ? ptf.connection !== null : ptf.connection === 'Verified');
    expect(v.deliver, `${v.because}\n--- posttls-finger:\n${ptf.output}`).toBe(ptfDelivers);
    expect(v.hosts[0].tls, ptf.output).toBe(ptf.connection);
    if (ptf.verifyError) expect(v.hosts[0].detail ?? '').toContain(ptf.verifyError);
    else expect(v.hosts[0].detail).toBeUndefined();
  });
});
