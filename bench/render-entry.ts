// One render case in a fresh process, for bench/render.mjs: bundled by esbuild with the CLI's
// own aliases (scripts/*-once.cjs), so it runs the code the CLI runs. Prints
// {"first": ms, "second": ms, "bytes": n}: the first call is what a CLI run pays (cold), the
// second what a long-running process pays (serve, a list run).
//   node render-case.cjs table|worst|chain|summary|changes|policy
import type { CertificateFacts, Change, ProbeResult } from '../src/types.js';
import type { PolicyVerdict } from '../src/policy/evaluate.js';
import { probeTable } from '../src/report/table.js';
import { summaryTable } from '../src/report/summary.js';
import { renderChanges } from '../src/report/baseline.js';
import { renderPolicyEntry, renderPolicySummary } from '../src/report/policy.js';

const FP = (b: string) => Array.from({ length: 32 }, () => b).join(':');

function cert(over: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    subject: 'CN=mx1.example.com', issuer: "C=US\nO=Let's Encrypt\nCN=R11", serial: '04A1B2C3D4E5F60718293A4B5C6D7E8F9012',
    san: { dns: ['mx1.example.com', 'mail.example.com'], ip: [] }, notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2025-04-01T23:59:59.000Z',
    daysRemaining: 61, key: { type: 'EC', bits: 256, curve: 'P-256' }, signatureAlgorithm: 'sha256WithRSAEncryption',
    sha256: FP('AB'), spkiSha256: FP('CD'), isCA: false, selfSigned: false, ...over,
  };
}

/** A trusted STARTTLS probe with a chain of two: what the default table shows most days. */
function typical(): ProbeResult {
  return {
    schemaVersion: 3, destination: 'example.com', nexthop: 'example.com', mx: { host: 'mx1.example.com', preference: 10 },
    host: 'mx1.example.com', address: '192.0.2.1', port: 25, mode: 'starttls', level: 'verify', status: 'ok', findings: [], error: null,
    smtp: {
      banner: { code: 220, text: 'mx1.example.com ESMTP Postfix' },
      ehlo: ['PIPELINING', 'SIZE 10240000', 'STARTTLS', 'ENHANCEDSTATUSCODES', '8BITMIME'],
      starttls: { offered: true, reply: { code: 220, enhanced: '2.0.0', text: 'Ready to start TLS' } },
      ehloTls: ['PIPELINING', 'SIZE 10240000', 'AUTH PLAIN LOGIN', 'ENHANCEDSTATUSCODES', '8BITMIME'],
      replies: [
        { command: 'EHLO probe.example.net', code: 250, enhanced: null, text: 'mx1.example.com\nPIPELINING' },
        { command: 'STARTTLS', code: 220, enhanced: '2.0.0', text: 'Ready to start TLS' },
        { command: 'EHLO probe.example.net', code: 250, enhanced: null, text: 'mx1.example.com\nPIPELINING' },
        { command: 'QUIT', code: 221, enhanced: '2.0.0', text: 'Bye' },
      ],
    },
    tls: { protocol: 'TLSv1.3', cipher: { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', bits: 256 }, keyExchange: { type: 'ECDH', group: 'X25519', bits: 253 }, servername: 'mx1.example.com', alpn: null, sessionReused: false },
    certificates: [cert(), cert({ subject: "C=US\nO=Let's Encrypt\nCN=R11", issuer: 'C=US\nO=ISRG\nCN=ISRG Root X1', san: { dns: [], ip: [] }, isCA: true, key: { type: 'RSA', bits: 2048, curve: null } })],
    verification: { trusted: true, error: null, hostnameMatch: true, matchedName: 'mx1.example.com', checkedNames: ['mx1.example.com'], fingerprintMatch: null },
    postfix: { effectiveLevel: 'verify', deliver: true, plaintext: false, connectionClass: 'Verified', reason: null },
    timingMs: { resolve: 3, connect: 1, banner: 12, ehlo: 2, starttls: 1, handshake: 9, total: 142 },
  } as ProbeResult;
}

const long = (ch: string, n = 8000) => ch.repeat(n);

/** The most a server can put into one result: 7 × 8,000-character EHLO lines, an 8,000-character banner and DC. */
function worst(): ProbeResult {
  const r = typical();
  const ehlo = Array.from({ length: 7 }, (_, i) => long(String.fromCharCode(0x41 + i)));
  r.smtp.banner = { code: 220, text: long('B') };
  r.smtp.ehlo = ehlo;
  r.smtp.ehloTls = ehlo;
  r.smtp.replies = [{ command: 'EHLO probe.example.net', code: 250, enhanced: null, text: ehlo.join('\n') }, { command: 'QUIT', code: 221, enhanced: '2.0.0', text: long('Q') }];
  r.certificates = [cert({ subject: `DC=${long('d')}\nCN=${long('c')}`, issuer: `CN=${long('i')}` }), cert()];
  return r;
}

function policyVerdict(line: number): PolicyVerdict {
  const host = `[${long('h', 10_000)}.example]:25`;
  return {
    line, endLine: line, key: host, keyKind: 'nexthop', level: 'secure', policy: 'secure match=nexthop', destination: host, deliver: false,
    state: 'defer', status: 'critical', because: `Postfix would defer: no certificate matches ${host}`,
    hosts: [{ pass: false, plaintext: false, label: host, message: 'certificate name does not match' }], notes: [], lint: [], results: [],
  } as unknown as PolicyVerdict;
}

const cases: Record<string, () => () => string> = {
  table: () => () => probeTable(typical(), { color: false }),
  worst: () => () => probeTable(worst(), { color: false }),
  chain: () => {
    const r = typical();
    r.certificates = Array.from({ length: 200 }, () => cert({ subject: `CN=${long('c', 500)}` }));
    return () => probeTable(r, { color: false });
  },
  summary: () => {
    const all = Array.from({ length: 10_000 }, (_, i) => ({ ...typical(), host: `mx${i}.example.com` }));
    return () => summaryTable(all, { color: false });
  },
  changes: () => {
    const changes = Array.from({ length: 52_638 }, (_, i) => ({ kind: 'destination-removed', destination: `d${i}.example`, host: `mx${i}.example`, address: '192.0.2.1', port: 25, before: `d${i}.example`, after: null }) as Change);
    return () => renderChanges(changes, { color: false, baselineName: 'big.ndjson' });
  },
  policy: () => {
    const all = Array.from({ length: 2000 }, (_, i) => policyVerdict(i + 1));
    return () => all.slice(0, 20).map((v) => renderPolicyEntry(v, { color: false, source: 'tls_policy' })).join('') + renderPolicySummary(all, { color: false, source: 'tls_policy' });
  },
};

const make = cases[process.argv[2] ?? 'table'];
if (!make) throw new Error(`unknown case ${process.argv[2]}: ${Object.keys(cases).join(', ')}`);
const render = make();
let t = performance.now();
const out = render();
const first = performance.now() - t;
t = performance.now();
render();
const second = performance.now() - t;
process.stdout.write(`${JSON.stringify({ first, second, bytes: Buffer.byteLength(out) })}\n`);
