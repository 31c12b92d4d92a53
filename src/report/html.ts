// `mxprobe report` / `--format html`: one self-contained HTML file — the host table (sortable,
// filterable, status colours, details per host), the certificate-expiry timeline and the
// changes since a baseline. No network: styles, script and data are inline, and the
// Content-Security-Policy allows nothing else (default-src 'none'; the script and the style by
// their SHA-256), so even a string that slipped through escaping could not run or fetch.
// A large run's data is gzip-compressed in the page and unpacked by the browser
// (DecompressionStream), which keeps 10,000 hosts near 1 MB.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Change, ProbeResult } from '../types.js';
import { expiryChartSvg } from './html-chart.js';
import { CLIENT_SCRIPT } from './html-client.js';
import { jsonForScript, packReport, type ReportData } from './html-data.js';

export interface HtmlReportOptions {
  title?: string;
  /** The report's "now" (expiry days, the chart); default the current time. */
  generatedAt?: Date;
  /** Changes since the baseline (compareWithBaseline); given (even empty) → the changes section. */
  changes?: readonly Change[];
  /** The baseline's name, shown in the changes heading. */
  baselineName?: string;
  warnDays?: number;
  critDays?: number;
}

const AMP = /[&<>"']/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Controls and bidi overrides: shown as \uXXXX text, as the page's script does.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text for HTML content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(AMP, (c) => ENTITIES[c]);
}

const STYLE = `
:root{--ok:#1a7f37;--warning:#b35900;--critical:#c62828;--unknown:#6e40c9;--muted:#57606a;--line:#d0d7de;--bg2:#f6f8fa}
*{box-sizing:border-box}body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 24px 48px;color:#1f2328}
h1{font-size:22px;margin:20px 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:13px;margin:0 0 4px;color:var(--muted)}
.meta{color:var(--muted);margin:0}.counts span{margin-right:12px;font-weight:600}
.counts .ok{color:var(--ok)}.counts .warning{color:var(--warning)}.counts .critical{color:var(--critical)}.counts .unknown{color:var(--unknown)}
#expiry-chart .bar rect{fill:var(--ok)}#expiry-chart .bar.warn rect{fill:#d4a72c}#expiry-chart .bar.crit rect,#expiry-chart .bar.expired rect{fill:var(--critical)}
#expiry-chart .bar rect.hit{fill:transparent}#expiry-chart .bar{cursor:pointer}#expiry-chart .bar:hover rect.hit,#expiry-chart .bar:focus rect.hit{fill:#eaeef2}
#expiry-chart text{font-size:11px;text-anchor:middle;fill:#1f2328}#expiry-chart .axis{text-anchor:start;fill:var(--muted)}
.controls{display:flex;gap:14px;align-items:center;flex-wrap:wrap;margin-bottom:8px}#filter{width:340px;padding:5px 8px}
table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;unicode-bidi:isolate}
th{background:var(--bg2)}
.part{margin:0 0 12px}.kv{display:flex;gap:10px}.kv .k{min-width:110px;color:var(--muted)}
.kv .v{white-space:pre-wrap;word-break:break-all}.kv.critical .v{color:var(--critical)}.kv.warning .v{color:var(--warning)}
.advice{margin:0 0 6px 120px;color:#0550ae}.cert{border-left:2px solid var(--line);padding-left:8px;margin-bottom:6px}.mono .v,td.mono{font-family:ui-monospace,monospace;font-size:12px}
.empty{color:var(--muted)}

/* The host list is a grid of divs, not a <table>: rows off screen skip style and layout
   (content-visibility, which table rows cannot have), so 10,000 rows render in well under 2 s. */
#hosts-table .head,#hosts-table .row{display:grid;grid-template-columns:88px minmax(0,1.2fr) minmax(0,1.5fr) 150px 72px minmax(0,1.6fr) 168px 150px minmax(0,1.4fr) 86px}
#hosts-table .row{content-visibility:auto;contain-intrinsic-size:auto 28px;cursor:pointer;border-left:4px solid transparent}
#hosts-table .head{position:sticky;top:0;background:var(--bg2);border-left:4px solid var(--bg2);z-index:1}
#hosts-table .head>div{font-weight:600;cursor:pointer;user-select:none;white-space:nowrap}
#hosts-table .head>div,#hosts-table .row>div{padding:4px 8px;border-bottom:1px solid var(--line);overflow:hidden;text-overflow:ellipsis;white-space:nowrap;unicode-bidi:isolate}
#hosts-table .head>[aria-sort=ascending]::after{content:" \\25B2"}#hosts-table .head>[aria-sort=descending]::after{content:" \\25BC"}
#hosts-table .row:hover,#hosts-table .row.open{background:var(--bg2)}#hosts-table .status{font-weight:700}
#hosts-table .row.ok{border-left-color:var(--ok)}#hosts-table .row.warning{border-left-color:var(--warning)}#hosts-table .row.critical{border-left-color:var(--critical)}#hosts-table .row.unknown{border-left-color:var(--unknown)}
#hosts-table .row.ok .status{color:var(--ok)}#hosts-table .row.warning .status{color:var(--warning)}#hosts-table .row.critical .status{color:var(--critical)}#hosts-table .row.unknown .status{color:var(--unknown)}
#hosts-table .row>.expired,#hosts-table .row>.crit{color:var(--critical);font-weight:600}#hosts-table .row>.warn{color:var(--warning);font-weight:600}
#hosts-table .details{background:#fbfcfd;padding:10px 16px 4px 20px;border-bottom:1px solid var(--line)}`;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

const COLUMNS: [key: string, label: string][] = [
  ['status', 'Status'], ['destination', 'Destination'], ['host', 'Host'], ['address', 'Address'], ['tls', 'TLS'],
  ['cipher', 'Cipher'], ['expiry', 'Expires'], ['trust', 'Certificate'], ['findings', 'Problems'], ['changes', 'Changes'],
];

/** Above this much JSON the data goes in gzip-compressed (base64): 10,000 hosts fit in ~1 MB instead of 5. */
const COMPRESS_ABOVE = 512 * 1024;

function dataElement(data: ReportData): string {
  const json = jsonForScript(data);
  if (json.length <= COMPRESS_ABOVE) return `<script type="application/json" id="mxprobe-data">${json}</script>`;
  const packed = gzipSync(Buffer.from(json, 'utf8'), { level: 6 }).toString('base64');
  return `<script type="application/octet-stream" id="mxprobe-data" data-encoding="gzip+base64">${packed}</script>`;
}

/** The report as one HTML document. */
export function renderHtml(results: readonly ProbeResult[], o: HtmlReportOptions = {}): string {
  const generatedAt = (o.generatedAt ?? new Date()).getTime();
  const data: ReportData = packReport(results, { changes: o.changes, baseline: o.changes !== undefined, generatedAt, warnDays: o.warnDays, critDays: o.critDays });
  const title = o.title ?? 'mxprobe report';
  const counts = [0, 0, 0, 0];
  for (const row of data.rows) counts[row[6]]++;
  const names = ['ok', 'warning', 'critical', 'unknown'];
  const csp = `default-src 'none'; script-src 'sha256-${sha256(CLIENT_SCRIPT)}'; style-src 'sha256-${sha256(STYLE)}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const changes = o.changes === undefined ? '' : `
<section id="changes"><h2>Changes since the baseline${o.baselineName ? ` (${escapeHtml(o.baselineName)})` : ''}: ${o.changes.length}</h2>
${o.changes.length === 0 ? '<p class="empty">Nothing changed.</p>' : '<table id="changes-table"><thead><tr><th>Change</th><th>Destination</th><th>Host</th><th>Address</th><th>Before</th><th>After</th></tr></thead><tbody></tbody></table>'}
</section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mxprobe">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>${escapeHtml(title)}</h1>
<p class="meta">${results.length} probes · ${new Date(generatedAt).toISOString().replace(/\.\d+Z$/, 'Z')}</p>
<p class="counts">${names.map((n, i) => `<span class="${n}">${counts[i]} ${n.toUpperCase()}</span>`).join('')}</p></header>
<section id="expiry"><h2>Certificate expiry</h2>
${expiryChartSvg(data)}
</section>${changes}
<section id="hosts"><h2>Hosts</h2>
<div class="controls"><input id="filter" type="search" placeholder="filter: host, destination, address, problem code" aria-label="filter">
${names.map((n) => `<label><input type="checkbox" name="status" value="${n}" checked> ${n}</label>`).join('\n')}
<button id="clear-range" type="button" hidden>all expiry dates</button><span id="shown"></span></div>
<div id="hosts-table" role="table" aria-label="hosts"><div class="head" role="row">${COLUMNS.map(([key, label]) => `<div role="columnheader" data-key="${key}" aria-sort="none">${label}</div>`).join('')}</div><div class="body" role="rowgroup"></div></div>
</section>
${dataElement(data)}
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
}
