// One row per probe for many targets, then the counts: the view after `mxprobe -f hosts.txt`.
import type { ProbeResult } from '../types.js';
import { palette, type Palette } from './color.js';
import { boxedOrLines } from './layout.js';
import { countStatuses, formatCounts, statusWord } from './status.js';
import { clean, hostLabel } from './text.js';
import { certificateFacts, errorPhrase, findingPhrase, problemFindings } from './verdict.js';

// status, target, protocol, cipher, cert days, verdict: 93 + 7 borders = 100 columns.
const WIDTHS = [10, 28, 9, 17, 6, 23];
const HEAD = ['status', 'host[address]:port', 'TLS', 'cipher', 'days', 'verdict'];

export interface SummaryOptions {
  color: boolean;
}

/**
 * Table of all probes, then "N probes: ..." and, when any failed, the counts by error code.
 * More than TABLE_ROWS probes: the same columns as lines, without borders.
 */
export function summaryTable(results: readonly ProbeResult[], options: SummaryOptions): string {
  const c = palette(options.color);
  const head = HEAD.map((h) => c.bold(h));
  const rows = results.map((r) => summaryRow(r, c));
  return `${boxedOrLines(WIDTHS, head, rows)}\n${summaryCounts(results)}\n`;
}

function summaryRow(r: ProbeResult, c: Palette): string[] {
  const leaf = r.certificates[0];
  return [
    c.status(r.status, statusWord(r.status)),
    hostLabel(r),
    r.tls ? clean(r.tls.protocol) : '-',
    r.tls ? clean(r.tls.cipher.name) : '-',
    leaf ? String(leaf.daysRemaining) : '-',
    summaryVerdict(r),
  ];
}

/** The verdict without expiry (it has its own column). */
function summaryVerdict(r: ProbeResult): string {
  const error = errorPhrase(r);
  const problems = problemFindings(r).map(findingPhrase);
  if (error) return [error, ...problems].join('; ');
  const facts = certificateFacts(r).filter((f) => !/^expire|^no certificate$/.test(f));
  if (r.tls && r.certificates.length === 0) facts.push('no certificate');
  const all = [facts.join(', '), ...problems].filter((s) => s !== '');
  return all.length ? all.join('; ') : r.tls ? '' : 'no TLS';
}

/** "4 probes: 2 critical, 1 warning, 1 ok" and, on a second line, "errors: 1 timeout, 1 refused". */
export function summaryCounts(results: readonly ProbeResult[]): string {
  const lines = [formatCounts(countStatuses(results))];
  const byCode = new Map<string, number>();
  for (const r of results) if (r.error) byCode.set(r.error.code, (byCode.get(r.error.code) ?? 0) + 1);
  if (byCode.size) {
    const parts = [...byCode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, n]) => `${n} ${code}`);
    lines.push(`errors: ${parts.join(', ')}`);
  }
  return lines.join('\n');
}
