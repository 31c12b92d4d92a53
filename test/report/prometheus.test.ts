import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeLabelValue } from '../../src/report/exposition.js';
import { renderPrometheus } from '../../src/report/prometheus.js';
import { writeFileAtomic } from '../../src/report/output-file.js';
import { UsageError } from '../../src/errors.js';
import type { Pki } from '../../fixtures/pki.js';
import { options, probePort, useFixtures } from '../probe/helpers.js';
import { checkMetrics } from '../serve/promtool.js';
import { leafCert, okResult, timeoutResult } from './sample.js';

/** One parsed sample line: name, labels (unescaped), value. */
interface Parsed { name: string; labels: Record<string, string>; value: number }

/** Inverse of the exposition escapes, written independently of src/. */
function parseExposition(text: string): Parsed[] {
  const out: Parsed[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
    let l: RegExpExecArray | null;
    while (m[2] && (l = re.exec(m[2]))) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const find = (samples: Parsed[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
    ['esc\x1b[31m', 'esc\\\\x1b[31m'],
    ['cr\r', 'cr\\\\x0d'],
    ['nul\x00', 'nul\\\\x00'],
    ['lone\ud800', 'lone\uFFFD'],
    ['pair\ud83d\ude00', 'pair\ud83d\ude00'],
    ['bidi \u202e', 'bidi \\\\u202e'],
    ['invisible \u200b\ufeff', 'invisible \\\\u200b\\\\ufeff'],
  ])('%j → %j', (input, expected) => {
    expect(escapeLabelValue(input)).toBe(expected);
  });
});

describe('renderPrometheus', () => {
  it('hostile certificate names and hosts stay inside their label value, and promtool accepts the text', async () => {
    const hostile = 'CN=<script>alert("x")</script>\\ \nO=\x1b[31mred \u202eevil\ud800';
    const r = okResult({ host: 'mx"1\n.example.com', certificates: [leafCert({ subject: hostile }), leafCert({ subject: 'CN=R11' })] });
    const text = renderPrometheus([r, timeoutResult()], { runTimestampMs: 1_700_000_000_000 });
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    const samples = parseExposition(text);
    const [leaf] = find(samples, 'mxprobe_cert_not_after_timestamp_seconds', { position: '0' });
    expect(leaf.labels.subject).toBe('CN=<script>alert("x")</script>\\ \nO=\\x1b[31mred \\u202eevil\uFFFD');
    expect(leaf.labels.host).toBe('mx"1\n.example.com');
    expect(leaf.value).toBe(Date.parse('2025-04-01T23:59:59.000Z') / 1000);
    expect(find(samples, 'mxprobe_run_timestamp_seconds')[0].value).toBe(1_700_000_000);
    const check = await checkMetrics(text);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  });

  it('a failed probe: success 0, status 2, its error phase and code; no TLS series', () => {
    const samples = parseExposition(renderPrometheus([timeoutResult()]));
    expect(find(samples, 'mxprobe_success')[0].value).toBe(0);
    expect(find(samples, 'mxprobe_status')[0].value).toBe(2);
    expect(find(samples, 'mxprobe_error_info')[0].labels).toMatchObject({ phase: 'banner', code: 'timeout' });
    expect(find(samples, 'mxprobe_tls_version_info')).toHaveLength(0);
    expect(find(samples, 'mxprobe_cert_trusted')).toHaveLength(0);
    expect(find(samples, 'mxprobe_phase_duration_seconds').map((s) => s.labels.phase)).toEqual(['connect', 'total']);
  });

  it('the same probe twice gives each series once (a repeated series fails the whole scrape)', async () => {
    const text = renderPrometheus([okResult(), okResult()]);
    expect(find(parseExposition(text), 'mxprobe_success')).toHaveLength(1);
    expect((await checkMetrics(text)).code).toBe(0);
  });

  it('several RCPT replies: one series with the highest code', () => {
    const r = okResult();
    r.smtp.replies.push(
      { command: 'MAIL FROM:<>', code: 250, enhanced: '2.1.0', text: 'Ok' },
      { command: 'RCPT TO:<a@example.com>', code: 250, enhanced: '2.1.5', text: 'Ok' },
      { command: 'RCPT TO:<b@example.com>', code: 550, enhanced: '5.1.1', text: 'unknown' },
    );
    const codes = find(parseExposition(renderPrometheus([r])), 'mxprobe_smtp_reply_code');
    expect(Object.fromEntries(codes.map((s) => [s.labels.command, s.value]))).toEqual({ BANNER: 220, EHLO: 250, STARTTLS: 220, QUIT: 221, MAIL: 250, RCPT: 550 });
  });

  it('no results: empty text', () => {
    expect(renderPrometheus([])).toBe('');
  });
});

describe('renderPrometheus on real probes', () => {
  const fx = useFixtures();
  let pki: Pki;
  beforeAll(async () => {
    pki = await fx.pki();
  });

  it('a good and an expired certificate: success, trust, name and the leaf notAfter as served', async () => {
    const good = await fx.smtp({ leaf: pki.leaves.good });
    const expired = await fx.smtp({ leaf: pki.leaves.expired });
    const results = [await probePort(good.port, options(pki)), await probePort(expired.port, options(pki))];
    const text = renderPrometheus(results);
    const samples = parseExposition(text);
    const at = (port: number) => ({ port: String(port) });
    expect(find(samples, 'mxprobe_success', at(good.port))[0].value).toBe(1);
    expect(find(samples, 'mxprobe_success', at(expired.port))[0].value).toBe(0);
    expect(find(samples, 'mxprobe_status', at(expired.port))[0].value).toBe(2);
    expect(find(samples, 'mxprobe_cert_trusted', at(expired.port))[0].value).toBe(0);
    expect(find(samples, 'mxprobe_name_matches', at(expired.port))[0].value).toBe(1);
    expect(find(samples, 'mxprobe_cert_not_after_timestamp_seconds', { ...at(good.port), position: '0' })[0].value).toBe(pki.leaves.good.notAfter.getTime() / 1000);
    expect(find(samples, 'mxprobe_cert_not_after_timestamp_seconds', { ...at(expired.port), position: '0' })[0].value).toBe(pki.leaves.expired.notAfter.getTime() / 1000);
    expect(find(samples, 'mxprobe_cert_not_after_timestamp_seconds', { ...at(good.port), position: '1' })[0].labels.sha256).toBe(pki.intermediate.sha256);
    expect(find(samples, 'mxprobe_tls_version_info', at(good.port))[0].labels.version).toBe(results[0].tls!.protocol);
    expect((await checkMetrics(text)).code).toBe(0);
  });
});

describe('writeFileAtomic', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-atomic-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the file in one step and leaves no temporary file', () => {
    const path = join(dir, 'mxprobe.prom');
    writeFileSync(path, 'old\n');
    writeFileAtomic(path, 'new\n');
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(readdirSync(dir)).toEqual(['mxprobe.prom']);
  });

  it('an unwritable place is a UsageError naming the file; the old file stays', () => {
    const path = join(dir, 'missing-dir', 'x.prom');
    expect(() => writeFileAtomic(path, 'x')).toThrow(UsageError);
    expect(() => writeFileAtomic(path, 'x')).toThrow(/--output .*x\.prom: cannot write: ENOENT/);
    expect(readdirSync(dir)).toEqual(['mxprobe.prom']);
  });
});
