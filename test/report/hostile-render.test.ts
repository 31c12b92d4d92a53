// The renderers on input built to freeze them: a 56 KB EHLO reply of unbroken 8,000-character
// lines, an 8,000-character banner and certificate DC attribute, a 10,000-character tls_policy
// host name, a chain of hundreds of certificates, tens of thousands of rows. cli-table3 laid
// such cells out for minutes (synchronously: no signal handler could run); now every cell is
// cut to its budget and wrapped by us before the table sees it. The bounds are generous for a
// loaded 2-core machine and still far below what the old layout took (bench/render.mjs has the
// figures).
import { describe, expect, it } from 'vitest';
import type { PolicyVerdict } from '../../src/policy/evaluate.js';
import type { Change, ProbeResult } from '../../src/types.js';
import { stripAnsi } from '../../src/report/color.js';
import { renderChanges } from '../../src/report/baseline.js';
import { renderPolicyEntry, renderPolicySummary } from '../../src/report/policy.js';
import { summaryTable } from '../../src/report/summary.js';
import { probeTable } from '../../src/report/table.js';
import { TABLE_ROWS } from '../../src/report/layout.js';
import { HOSTILE, rawControlAt } from './hostile-server.js';
import { leafCert, okResult } from './sample.js';

const long = (ch: string, n = 8000) => ch.repeat(n);

/** Everything a server controls, at the size the reply reader lets through. */
function worstCase(): ProbeResult {
  const ehlo = Array.from({ length: 7 }, (_, i) => long(String.fromCharCode(0x41 + i)));
  const r = okResult();
  r.smtp.banner = { code: 220, text: long('B') };
  r.smtp.ehlo = ehlo;
  r.smtp.ehloTls = ehlo;
  r.smtp.replies = [
    { command: 'EHLO probe.example.net', code: 250, enhanced: null, text: ehlo.join('\n') },
    { command: 'STARTTLS', code: 220, enhanced: '2.0.0', text: long('S') },
    { command: 'QUIT', code: 221, enhanced: '2.0.0', text: ehlo.join('\n') },
  ];
  r.certificates = [
    leafCert({ subject: `DC=${long('d')}\nCN=${long('日', 4000)}`, issuer: `CN=${long('i')}`, san: { dns: Array.from({ length: 500 }, (_, i) => `n${i}.${long('x', 60)}.example`), ip: [] } }),
    leafCert({ subject: `CN=${long('c')}`, serial: long('F') }),
  ];
  r.findings = [{ severity: 'warning', code: 'x', message: long('f') }];
  return r;
}

/** Median wall time of `runs` calls after one warm-up, and the last output. */
function timed(fn: () => string, runs = 3): { ms: number; out: string } {
  let out = fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    out = fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], out };
}

const widths = (out: string) => out.split('\n').map((l) => [...stripAnsi(l)].length);

describe('the default table on the worst a server can send', () => {
  it('renders in under 100 ms, every line within 100 columns, every cell cut to its budget', () => {
    const { ms, out } = timed(() => probeTable(worstCase(), { color: false }));
    expect(ms).toBeLessThan(100);
    // The verdict line is not a table line; every table line is exactly 100 wide.
    for (const w of widths(out).slice(1, -1)) expect(w).toBe(100);
    expect(out).toMatch(/… \d+ more bytes, see --json/);
    // 7 × 8,000 keywords are 512 characters of the table, not 56 KB.
    expect(out.length).toBeLessThan(60_000);
    const lines = out.split('\n');
    const ehloRow = lines.findIndex((l) => l.startsWith('│ EHLO before TLS'));
    const next = lines.findIndex((l, i) => i > ehloRow && !l.startsWith('│                  │'));
    const ehloText = lines.slice(ehloRow, next).map((l) => l.slice(21, -2)).join('').replace(/ /g, '');
    expect(ehloText).toBe(`${'A'.repeat(512)}…55500morebytes,see--json`);
  });

  it('in colour too, and nothing but our colour codes is a control character', () => {
    const { ms, out } = timed(() => probeTable(worstCase(), { color: true }));
    expect(ms).toBeLessThan(100);
    expect(rawControlAt(stripAnsi(out))).toBeNull();
  });

  it('a chain of 400 certificates is 400 times a certificate: linear, not a stall', () => {
    const r = worstCase();
    r.certificates = Array.from({ length: 400 }, () => leafCert({ subject: `CN=${long('c', 600)}` }));
    const { ms, out } = timed(() => probeTable(r, { color: false }), 1);
    expect(out.split('\n').length).toBeGreaterThan(400 * 15);
    expect(ms).toBeLessThan(2000);
    for (const w of widths(out).slice(1, -1)) expect(w).toBe(100);
  });

  it('control text from the server is escaped in every cell', () => {
    const r = okResult();
    r.smtp.banner = { code: 220, text: HOSTILE };
    r.smtp.ehlo = [HOSTILE];
    r.certificates = [leafCert({ subject: `CN=${HOSTILE}`, san: { dns: [HOSTILE], ip: [] } })];
    r.findings = [{ severity: 'critical', code: `c${HOSTILE}`, message: HOSTILE }];
    const out = probeTable(r, { color: false });
    expect(rawControlAt(out)).toBeNull();
    expect(out).toContain('\\x1b[2J');
    expect(out).toContain('\\u202e');
  });
});

describe('large row sets print as lines, in time linear in the rows', () => {
  it(`the run summary of 10,000 probes (beyond ${TABLE_ROWS} rows: columns without borders)`, () => {
    const results = Array.from({ length: 10_000 }, (_, i) => okResult({ host: `mx${i}.example.com`, destination: `d${i}.example` }));
    results[5] = worstCase();
    results[6] = okResult({ host: `mx${HOSTILE}`, destination: HOSTILE });
    const { ms, out } = timed(() => summaryTable(results, { color: false }), 1);
    expect(ms).toBeLessThan(3000);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^status +host\[address\]:port +TLS +cipher +days +verdict$/);
    expect(lines.at(-1)).toBe('10000 probes: 10000 ok');
    expect(out).not.toMatch(/[┌│└]/);
    for (const w of widths(out)) expect(w).toBeLessThanOrEqual(100);
    expect(rawControlAt(out)).toBeNull();
    // Up to the threshold it stays a table.
    expect(summaryTable(results.slice(0, TABLE_ROWS), { color: false })).toMatch(/^┌/);
  });

  it('52,638 baseline changes (the size of a 100 MB baseline diff)', () => {
    const changes: Change[] = Array.from({ length: 52_638 }, (_, i) => ({
      kind: i % 2 ? 'destination-removed' : 'protocol', destination: `d${i}.example`, host: `mx${i}.example`, address: '192.0.2.1', port: 25,
      before: i % 2 ? `d${i}.example` : 'TLSv1.2', after: i % 2 ? null : 'TLSv1.3',
    }));
    changes[7] = { kind: 'ehlo-tls', destination: long('d'), host: HOSTILE, address: null, port: 25, before: [long('k')], after: [HOSTILE] };
    const { ms, out } = timed(() => renderChanges(changes, { color: false, baselineName: 'big.ndjson' }), 1);
    expect(ms).toBeLessThan(5000);
    const lines = out.split('\n');
    expect(lines[0]).toBe('changes since big.ndjson (52638)');
    expect(lines[1]).toMatch(/^destination +host\[address\]:port +change +before → after$/);
    expect(lines.length).toBeGreaterThan(52_638);
    for (const w of widths(out)) expect(w).toBeLessThanOrEqual(100);
    expect(rawControlAt(out)).toBeNull();
  });
});

describe('policy output with a 10,000-character host name', () => {
  const verdict = (over: Partial<PolicyVerdict> = {}): PolicyVerdict => ({
    line: 1, endLine: 1, key: `[${long('h', 10_000)}.example]:25`, keyKind: 'nexthop', level: 'secure',
    policy: `secure match=${long('m', 10_000)}`, destination: `[${long('h', 10_000)}.example]:25`, deliver: false, state: 'defer', status: 'critical',
    because: `Postfix would defer: ${long('b', 10_000)}`,
    hosts: [{ pass: false, plaintext: false, label: long('l', 10_000), message: HOSTILE, detail: long('d', 10_000) }],
    notes: [long('n', 10_000)], lint: [{ line: 1, severity: 'warning', code: 'x', message: long('w', 10_000) }], results: [],
    ...over,
  } as PolicyVerdict);

  it('one entry renders in under 100 ms', () => {
    const { ms, out } = timed(() => renderPolicyEntry(verdict(), { color: false, source: 'tls_policy' }));
    expect(ms).toBeLessThan(100);
    for (const w of widths(out).slice(1, -1)) expect(w).toBe(100);
    expect(out.split('\n')[0].length).toBeLessThan(1200); // the heading is budgeted too
    expect(rawControlAt(out)).toBeNull();
  });

  it('the summary of 5,000 such entries', () => {
    const all = Array.from({ length: 5000 }, (_, i) => verdict({ line: i + 1 }));
    const { ms, out } = timed(() => renderPolicySummary(all, { color: false, source: 'tls_policy' }), 1);
    expect(ms).toBeLessThan(5000);
    expect(out.trimEnd().split('\n').at(-1)).toBe('tls_policy: 5000 entries: 0 would deliver, 5000 would defer, 0 not probed');
    for (const w of widths(out)) expect(w).toBeLessThanOrEqual(100);
  });
});
