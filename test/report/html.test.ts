/// <reference lib="dom" />
// The HTML report in a real headless Chromium (Debian's, through puppeteer-core): results of
// real probes of fixture servers plus hand-built hostile ones, opened from file://. No console
// error, no request leaves the file, no dialog (no injected script ran), one row per result,
// sorting by expiry, filtering, the chart's range filter, details and baseline changes.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { Pki } from '../../fixtures/pki.js';
import { manyResults } from '../../fixtures/many-results.js';
import { closedPort } from '../../fixtures/closed-port.js';
import { parseBaseline } from '../../src/baseline.js';
import { escapeHtml, renderHtml } from '../../src/report/html.js';
import { compareWithBaseline, readResultsFile } from '../../src/report/html-input.js';
import { expiryBuckets } from '../../src/report/html-chart.js';
import { packReport } from '../../src/report/html-data.js';
import { UsageError } from '../../src/errors.js';
import type { ProbeResult } from '../../src/types.js';
import { options, probePort, useFixtures } from '../probe/helpers.js';
import { chromiumPath, launchChromium, type Chromium } from './browser.js';
import { leafCert, okResult } from './sample.js';

const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const noBrowser = chromiumPath ? null : 'chromium not installed (apt-get install -y chromium)';
if (noBrowser && !inCi) console.warn(`SKIPPED HTML report browser tests: ${noBrowser}`);
const withBrowser = noBrowser && !inCi ? describe.skip : describe;

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE_HOST = '"><img src=x onerror=alert(2)>';
const HOSTILE_BANNER = '\x1b[31mred\u202eevil</script><script>alert(3)</script>';

function hostileResults(): ProbeResult[] {
  const r = okResult({ destination: '<script>alert(1)</script>.example', host: HOSTILE_HOST, address: '192.0.2.66' });
  r.smtp.banner = { code: 220, text: HOSTILE_BANNER };
  r.certificates = [leafCert({ subject: 'CN=</script><b>bold</b>\u2066x', issuer: "O='quoted\" & <amp>", notAfter: '2031-01-01T00:00:00.000Z' })];
  r.findings = [{ severity: 'warning', code: 'cert-expires-soon', message: '<b>soon</b> &amp; \u202e' }];
  return [r];
}

describe('escapeHtml', () => {
  it.each([
    ['<script>', '&lt;script&gt;'],
    ['a & "b" \'c\'', 'a &amp; &quot;b&quot; &#39;c&#39;'],
    ['esc\x1b[0m', 'esc\\u001b[0m'],
    ['bidi\u202e\u2066', 'bidi\\u202e\\u2066'],
    ['line\nbreak', 'line\nbreak'],
  ])('%j → %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe('renderHtml (the file)', () => {
  it('no server string reaches the markup raw: the only scripts are the data and the page script', () => {
    const html = renderHtml(hostileResults(), { title: '<i>title</i>' });
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toMatch(/[\x1b\u202e\u2066]/);
    expect(html).toContain('<title>&lt;i&gt;title&lt;/i&gt;</title>');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-/);
  });

  it('10,000 hosts: under 5 MB', () => {
    const html = renderHtml(manyResults(10_000));
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
  });

  it('the expiry chart counts each leaf once, in its week', () => {
    const now = Date.parse('2025-06-01T00:00:00Z');
    const at = (days: number) => okResult({ certificates: [leafCert({ notAfter: new Date(now + days * 86_400_000).toISOString() })] });
    const buckets = expiryBuckets(packReport([at(-3), at(0.5), at(6.9), at(7), at(200), okResult({ certificates: [] })], { generatedAt: now }));
    expect(buckets.map((b) => b.count)).toEqual([1, 2, 1, ...Array(14).fill(0), 1]);
    expect(buckets[1].label).toBe('06-01');
  });
});

describe('readResultsFile', () => {
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  it('reads NDJSON and a --json array', async () => {
    const rs = [okResult(), okResult({ host: 'mx2.example.com' })];
    expect(await readResultsFile(write('a.ndjson', `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`))).toHaveLength(2);
    expect(await readResultsFile(write('a.json', JSON.stringify(rs, null, 2)))).toHaveLength(2);
  });
  it('a line that is not a result is a UsageError naming the line', async () => {
    await expect(readResultsFile(write('b.ndjson', `${JSON.stringify(okResult())}\n{"x":1}\n`))).rejects.toThrow(/b\.ndjson:2: not an mxprobe result/);
    await expect(readResultsFile(write('c.ndjson', 'garbage\n'))).rejects.toThrow(UsageError);
    await expect(readResultsFile(join(dir, 'absent.ndjson'))).rejects.toThrow(/absent\.ndjson: cannot read: ENOENT/);
  });
});

withBrowser('the HTML report in headless Chromium', () => {
  const fx = useFixtures();
  let pki: Pki;
  let chromium: Chromium;
  let results: ProbeResult[];
  let changes: ReturnType<typeof compareWithBaseline>;

  beforeAll(async () => {
    pki = await fx.pki();
    chromium = await launchChromium();
    const servers = await Promise.all([
      fx.smtp({ leaf: pki.leaves.good }), fx.smtp({ leaf: pki.leaves.expired }), fx.smtp({ leaf: pki.leaves.wrongName }),
      fx.smtp({ leaf: pki.leaves.selfSigned }), fx.smtp({ leaf: pki.leaves.expiresSoon }), fx.smtp({ leaf: pki.leaves.good, noStarttls: true }),
    ]);
    results = await Promise.all(servers.map((s) => probePort(s.port, options(pki))));
    results.push(await probePort(await closedPort(), options(pki)));
    results.push(...hostileResults());
    // The baseline: the same run a while ago, when the expired server still had the good certificate
    // and one more destination existed.
    const earlier = results.map((r) => structuredClone(r));
    earlier[1].certificates = results[0].certificates;
    earlier[1].status = 'ok';
    earlier.push(okResult({ destination: 'gone.example', host: 'mx.gone.example' }));
    changes = compareWithBaseline(results, parseBaseline(earlier.map((r) => JSON.stringify(r)).join('\n'), 'old.ndjson'));
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
  });

  async function open(html: string, name: string): Promise<{ page: Page; errors: string[]; requests: string[]; dialogs: string[]; readyMs: number }> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const p = await chromium.page();
    await p.page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 30_000 });
    await p.page.waitForSelector('html[data-ready="1"]', { timeout: 30_000 });
    const readyMs = await p.page.evaluate(() => performance.now());
    return { ...p, readyMs };
  }

  // page.evaluate, not $$eval: $$eval makes a remote handle per element first (seconds at 10,000 rows).
  const expiries = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('#hosts-table .body .row'), (tr) => Number(tr.dataset.expiry)));
  const rowCount = (page: Page) => page.evaluate(() => document.querySelectorAll('#hosts-table .body .row').length);
  const ascending = (xs: number[]) => {
    const known = xs.filter((x) => x >= 0);
    return known.every((x, i) => i === 0 || known[i - 1] <= x) && xs.slice(known.length).every((x) => x < 0);
  };

  it('real and hostile results: no console error, no request, no dialog, one row per result, sort by expiry', async () => {
    const { page, errors, requests, dialogs } = await open(renderHtml(results, { changes, baselineName: 'old.ndjson', title: 'mxprobe <test>' }), 'real.html');
    expect(await rowCount(page)).toBe(results.length);
    await page.click('#hosts-table [data-key="expiry"]');
    const asc = await expiries(page);
    expect(ascending(asc)).toBe(true);
    expect(asc.filter((x) => x >= 0)).toHaveLength(results.filter((r) => r.certificates.length).length);
    expect(asc[0]).toBe(Math.round(pki.leaves.expired.notAfter.getTime() / 1000));
    expect(await page.$eval('#hosts-table [data-key="expiry"]', (th) => th.getAttribute('aria-sort'))).toBe('ascending');
    await page.click('#hosts-table [data-key="expiry"]');
    const desc = (await expiries(page)).filter((x) => x >= 0);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('hostile strings are text: no injected element, controls and bidi shown as escapes', async () => {
    const { page, errors, dialogs } = await open(renderHtml(results, { changes }), 'hostile.html');
    expect(await page.$$eval('script', (s) => s.length)).toBe(2);
    expect(await page.$$eval('img, b, i', (s) => s.length)).toBe(0);
    const row = await page.$$eval('#hosts-table .body .row', (trs, host) => trs.findIndex((tr) => tr.children[2].textContent === host), HOSTILE_HOST);
    expect(row).toBeGreaterThanOrEqual(0);
    await page.click(`#hosts-table .body .row:nth-of-type(${row + 1})`);
    const details = await page.$eval('#hosts-table .body .details', (tr) => tr.textContent ?? '');
    expect(details).toContain('\\u001b[31mred\\u202eevil</script><script>alert(3)</script>');
    expect(details).toContain('CN=</script><b>bold</b>\\u2066x');
    expect(details).toContain('<b>soon</b> &amp; \\u202e');
    expect(details).not.toMatch(/[\x1b\u202e\u2066]/);
    expect(details).toContain('Postfix: renew before it expires');
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('filter box, status boxes, the chart range, and the changes since the baseline', async () => {
    const { page, errors } = await open(renderHtml(results, { changes }), 'filter.html');
    const rows = () => page.$$eval('#hosts-table .body .row', (trs) => trs.map((tr) => tr.children[0].textContent + ' ' + tr.children[8].textContent));
    await page.type('#filter', 'certificate-expired');
    await page.waitForFunction(() => document.querySelectorAll('#hosts-table .body .row').length === 1);
    expect((await rows())[0]).toMatch(/^CRITICAL .*certificate-expired/);
    await page.$eval('#filter', (el) => ((el as HTMLInputElement).value = ''));
    await page.click('input[name=status][value=ok]');
    expect((await rows()).some((r) => r.startsWith('OK'))).toBe(false);
    await page.click('input[name=status][value=ok]');
    await page.click('#expiry-chart .bar.expired');
    expect((await expiries(page)).map((x) => x * 1000 < Date.now())).toEqual([true]);
    await page.click('#clear-range');
    expect(await rowCount(page)).toBe(results.length);
    expect(await page.$$eval('#changes-table tbody tr', (trs) => trs.length)).toBe(changes.length);
    const kinds = await page.$$eval('#changes-table tbody tr', (trs) => trs.map((tr) => tr.children[0].textContent));
    expect(kinds).toEqual(expect.arrayContaining(['status', 'leaf', 'destination-removed']));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('10,000 hosts: compressed data unpacks, every row is there, sorting by expiry works; a screenshot', async () => {
    const many = manyResults(10_000);
    const html = renderHtml(many, { title: 'mxprobe report: 10,000 MX hosts' });
    expect(html).toContain('data-encoding="gzip+base64"');
    const { page, errors, requests, readyMs } = await open(html, 'many.html');
    expect(statSync(join(dir, 'many.html')).size).toBeLessThan(5 * 1024 * 1024);
    expect(await rowCount(page)).toBe(10_000);
    await page.click('#hosts-table [data-key="expiry"]');
    expect(ascending(await expiries(page))).toBe(true);
    console.log(`10,000-host report ready ${Math.round(readyMs)} ms after navigation start (bench/html.mjs measures this properly)`);
    await page.click('#hosts-table [data-key="status"]');
    await page.click('#hosts-table [data-key="status"]');
    await page.click('#hosts-table .body .row:nth-of-type(1)');
    await page.setViewport({ width: 1400, height: 1000 });
    const shot = process.env.MXPROBE_HTML_SCREENSHOT ?? join(dir, 'report.png');
    await page.screenshot({ path: shot as `${string}.png` });
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 60_000);
});
