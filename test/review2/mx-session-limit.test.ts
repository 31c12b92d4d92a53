// Postfix smtp_connect.c (smtp_connect_inet): "Don't count handshake errors towards the session
// limit." A session counts towards smtp_mx_session_limit only when smtp_helo() succeeded, i.e.
// after greeting, EHLO, STARTTLS, the TLS handshake AND the certificate checks of the level.
// Two MX hosts whose certificates fail `verify` are therefore skipped without using up the
// limit, and a third, passing MX host gets the mail.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { createRunContext, probeAll } from '../../src/probe.js';
import { evaluatePolicyEntry } from '../../src/policy/evaluate.js';
import { lintPolicy } from '../../src/policy/lint.js';
import { parsePolicyTable } from '../../src/policy/table.js';
import type { ProbeOptions } from '../../src/types.js';

const SHORT = { connectTimeoutMs: 3000, timeoutMs: 3000, bannerTimeoutMs: 3000, tlsTimeoutMs: 3000, deadlineMs: 15_000 } as const;
let pki: Pki;
let dns: DnsFixture;
let server: SmtpFixture;
let base: ProbeOptions;

beforeAll(async () => {
  pki = await createPki();
  server = await startSmtpFixture({ leaf: pki.leaves.good });
  dns = await startDnsServer({
    'three.example': { MX: [{ preference: 10, exchange: 'mx1.other.example' }, { preference: 20, exchange: 'mx2.other.example' }, { preference: 30, exchange: TEST_HOST }] },
    'mx1.other.example': { A: ['127.0.0.1'] },
    'mx2.other.example': { A: ['127.0.0.1'] },
    [TEST_HOST]: { A: ['127.0.0.1'] },
  });
  base = { ca: pki.root.pem, ehlo: 'client.test.example', resolver: [dns.server], ...SHORT };
}, 60_000);

afterAll(async () => {
  await Promise.all([server?.close(), dns?.close()]);
});

test('two MX hosts failing certificate verification do not use up smtp_mx_session_limit: the third delivers', async () => {
  const table = parsePolicyTable(`three.example:${server.port} verify\n`);
  const context = createRunContext(base);
  const v = await evaluatePolicyEntry(table.entries[0], base, lintPolicy(table), (d, o) => probeAll(d, o, context));
  expect(v.hosts.map((h) => h.pass)).toEqual([false, false, true]);
  // Postfix: both failures are TLS handshake errors (smtp_helo() != 0), not counted; mx.test.example is tried.
  expect(v.deliver).toBe(true);
  expect(v.state).toBe('deliver');
}, 30_000);
