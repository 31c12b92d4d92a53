// The certificate-expiry timeline of the HTML report: leaf certificates per week over the next
// 16 weeks, with the expired ones before and the later ones after, coloured by the --crit-days /
// --warn-days zones. Inline SVG built from numbers only (no string from a server reaches it).
// Each bar carries its day range; the page's script filters the host table by it on click.
import type { ReportData } from './html-data.js';

const DAY = 86_400;
const WEEKS = 16;

export interface ExpiryBucket {
  /** Days from the report's time, [lo, hi); -Infinity / Infinity at the ends. */
  lo: number;
  hi: number;
  label: string;
  count: number;
}

export function expiryBuckets(data: ReportData): ExpiryBucket[] {
  const now = data.generatedAt / 1000;
  const date = (days: number) => new Date((now + days * DAY) * 1000).toISOString().slice(5, 10);
  const buckets: ExpiryBucket[] = [{ lo: -Infinity, hi: 0, label: 'expired', count: 0 }];
  for (let w = 0; w < WEEKS; w++) buckets.push({ lo: w * 7, hi: (w + 1) * 7, label: date(w * 7), count: 0 });
  buckets.push({ lo: WEEKS * 7, hi: Infinity, label: 'later', count: 0 });
  for (const row of data.rows) {
    const notAfter = row[10];
    if (notAfter < 0) continue;
    const days = (notAfter - now) / DAY;
    const b = days < 0 ? 0 : Math.min(buckets.length - 1, 1 + Math.floor(days / 7));
    buckets[b].count++;
  }
  return buckets;
}

const zone = (b: ExpiryBucket, data: ReportData) =>
  b.hi <= 0 ? 'expired' : b.lo < data.critDays ? 'crit' : b.lo < data.warnDays ? 'warn' : 'fine';

/** The chart as an `<svg>` element (text), or a sentence when no certificate was seen. */
export function expiryChartSvg(data: ReportData): string {
  const buckets = expiryBuckets(data);
  const total = buckets.reduce((n, b) => n + b.count, 0);
  if (total === 0) return '<p class="empty">No certificates in this run.</p>';
  const W = 960;
  const H = 200;
  const top = 18;
  const bottom = 36;
  const left = 8;
  const step = (W - left * 2) / buckets.length;
  const max = Math.max(...buckets.map((b) => b.count));
  const bars = buckets.map((b, i) => {
    const h = b.count === 0 ? 0 : Math.max(2, Math.round(((H - top - bottom) * b.count) / max));
    const x = Math.round(left + i * step + 2);
    const w = Math.round(step - 4);
    const y = H - bottom - h;
    const lo = Number.isFinite(b.lo) ? b.lo : -100000;
    const hi = Number.isFinite(b.hi) ? b.hi : 100000;
    const range = b.hi === 0 ? 'already expired' : b.hi === Infinity ? `in ${b.lo} days or later` : `in ${b.lo}–${b.hi} days (week of ${b.label})`;
    return `<g class="bar ${zone(b, data)}" data-lo="${lo}" data-hi="${hi}" tabindex="0" role="button" aria-label="${b.count} expiring ${range}">`
      + `<title>${b.count} certificate${b.count === 1 ? '' : 's'} expiring ${range}</title>`
      + `<rect x="${x}" y="${H - bottom - (H - top - bottom)}" width="${w}" height="${H - top - bottom}" class="hit"/>`
      + `<rect x="${x}" y="${y}" width="${w}" height="${h}"/>`
      + (b.count ? `<text x="${x + w / 2}" y="${y - 4}" class="count">${b.count}</text>` : '')
      + `<text x="${x + w / 2}" y="${H - bottom + 14}" class="label">${b.label}</text></g>`;
  });
  return `<svg id="expiry-chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Leaf certificates by expiry week">${bars.join('')}`
    + `<text x="${left}" y="${H - 6}" class="axis">weeks from the report time (${new Date(data.generatedAt).toISOString().slice(0, 10)}); click a bar to list its hosts</text></svg>`;
}
