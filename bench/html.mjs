#!/usr/bin/env node
// The HTML report at 10,000 hosts (fixtures/many-results.ts: realistic shares of OK, expiring,
// expired, untrusted, no STARTTLS, unreachable): renderHtml's time in Node, the file size, and in
// Debian's headless Chromium (puppeteer-core, file://) the time from navigation start until the
// page's script has built every row (html[data-ready]), Chromium's own layout / style / script
// totals, and a sort by expiry. Targets: under 5 MB, rendered in under 2 s.
//   node bench/html.mjs [--hosts 10000] [--runs 5]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { ROOT, machine, median, snapshotBuild } from './single-common.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : def);
const HOSTS = opt('hosts', 10_000);
const RUNS = opt('runs', 5);

const snapshot = snapshotBuild('html');
const { renderHtml } = await import(pathToFileURL(join(snapshot, 'dist/index.js')).href);
const gen = join(snapshot, 'many-results.mjs');
await build({ entryPoints: [join(ROOT, 'fixtures/many-results.ts')], outfile: gen, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
const { manyResults } = await import(pathToFileURL(gen).href);

const results = manyResults(HOSTS);
const nodeMs = [];
let html = '';
for (let i = 0; i < RUNS; i++) {
  const t = performance.now();
  html = renderHtml(results);
  nodeMs.push(performance.now() - t);
}
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-bench-html-'));
const file = join(dir, 'report.html');
writeFileSync(file, html);
const profile = join(dir, 'profile');
const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  userDataDir: profile,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`],
});
const ready = [];
const sort = [];
const metrics = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    // The moment the script marks the page ready, taken inside the page (no polling delay).
    await page.evaluateOnNewDocument(() => {
      new MutationObserver((_, obs) => {
        if (document.documentElement?.dataset.ready === '1') {
          window.__readyAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready'] });
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.__readyAt === 'number', { timeout: 60_000 });
    // Layout of what is on screen happens after the script; wait for the next frame to count it.
    const t = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve({ ready: window.__readyAt, painted: performance.now() }), 0))));
    ready.push(t);
    metrics.push(await page.metrics());
    sort.push(await page.evaluate(() => {
      const t0 = performance.now();
      document.querySelector('#hosts-table [data-key="expiry"]').click();
      return performance.now() - t0;
    }));
    const rows = await page.$$eval('#hosts-table .body .row', (r) => r.length);
    if (rows !== HOSTS) throw new Error(`${rows} rows, expected ${HOSTS}`);
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
const m = machine();
const fmt = (x) => Math.round(x);
const lines = [
  `HTML report, ${HOSTS} hosts, ${RUNS} runs (medians); node ${m.node}, chromium headless, load ${m.load}`,
  '',
  '| what | median | all runs |',
  '|---|---|---|',
  `| file size | ${(Buffer.byteLength(html) / 1024 / 1024).toFixed(2)} MB | (NDJSON of the same run: ${(results.map((r) => JSON.stringify(r)).join('\n').length / 1024 / 1024).toFixed(1)} MB) |`,
  `| renderHtml in Node | ${fmt(median(nodeMs))} ms | ${nodeMs.map(fmt).join(', ')} |`,
  `| navigation start → every row built (data-ready) | ${fmt(median(ready.map((r) => r.ready)))} ms | ${ready.map((r) => fmt(r.ready)).join(', ')} |`,
  `| navigation start → first frame after that | ${fmt(median(ready.map((r) => r.painted)))} ms | ${ready.map((r) => fmt(r.painted)).join(', ')} |`,
  `| Chromium layout / style / script (page totals) | ${fmt(median(metrics.map((x) => x.LayoutDuration * 1000)))} / ${fmt(median(metrics.map((x) => x.RecalcStyleDuration * 1000)))} / ${fmt(median(metrics.map((x) => x.ScriptDuration * 1000)))} ms | |`,
  `| sort ${HOSTS} rows by expiry (click → rows re-ordered) | ${fmt(median(sort))} ms | ${sort.map(fmt).join(', ')} |`,
];
console.log(lines.join('\n'));
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results', `html-${m.date.replace(/[:.]/g, '-')}.md`), `${lines.join('\n')}\n`);
