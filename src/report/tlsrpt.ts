// `mxprobe tlsrpt`: the summary of RFC 8460 reports and, with --reprobe, today's verdict for each
// failing MX host. Report contents come from other organisations' mail systems: every string goes
// through `clean` before it reaches a terminal.
import type { Status, TlsrptReport, TlsrptReprobe, TlsrptSummary } from '../types.js';
import { worstStatus } from '../status.js';
import { palette } from './color.js';
import { clean } from './text.js';
import { verdictLine } from './verdict.js';
import { jsonReplacer } from './json.js';
import { safeJson } from './sanitize.js';

export interface TlsrptRenderOptions {
  color?: boolean;
}

const pct = (part: number, whole: number) => (whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%`);

/**
 * The status of a tlsrpt run: unknown when a file could not be read, critical when a re-probed
 * MX host still fails, warning when the reports show failures not re-probed (or not probeable),
 * else ok.
 */
export function tlsrptStatus(reports: readonly TlsrptReport[], summary: TlsrptSummary, reprobes?: readonly TlsrptReprobe[]): Status {
  const statuses: Status[] = ['ok'];
  if (reports.some((r) => r.error)) statuses.push('unknown');
  if (reprobes) {
    if (reprobes.some((x) => x.stillFails === true)) statuses.push('critical');
    if (reprobes.some((x) => x.stillFails === null)) statuses.push('warning');
  } else if (summary.policies.some((p) => p.failed > 0)) statuses.push('warning');
  if (summary.unreadable > 0) statuses.push('warning');
  return worstStatus(statuses);
}

export function renderTlsrpt(reports: readonly TlsrptReport[], summary: TlsrptSummary, reprobes?: readonly TlsrptReprobe[], o: TlsrptRenderOptions = {}): string {
  const c = palette(o.color ?? false);
  const out: string[] = [];
  const read = summary.reports - reports.filter((r) => r.error).length;
  const period = summary.period.start ? ` covering ${clean(summary.period.start)} – ${clean(summary.period.end ?? '?')}` : '';
  out.push(`${read} TLSRPT report${read === 1 ? '' : 's'}${summary.organizations.length ? ` from ${summary.organizations.map(clean).join(', ')}` : ''}${period}`);
  for (const r of reports) if (r.error) out.push(`${c.status('unknown', 'UNREADABLE')} ${clean(r.file)}: ${clean(r.error)}`);
  for (const p of summary.policies) {
    const total = p.successful + p.failed;
    const head = `${p.policyType} ${clean(p.policyDomain)}: ${p.successful} sessions ok, ${p.failed} failed (${pct(p.failed, total)}) in ${p.reports} report${p.reports === 1 ? '' : 's'}`;
    out.push('', p.failed ? c.bold(head) : head);
    const width = Math.max(0, ...p.failures.map((f) => (f.receivingMx ?? '(no MX named)').length));
    for (const f of p.failures) out.push(`  ${clean(f.receivingMx ?? '(no MX named)').padEnd(width)}  ${clean(f.resultType).padEnd(26)} ${f.sessions}`);
  }
  const findings = reports.flatMap((r) => r.findings.map((f) => ({ ...f, file: r.file })));
  if (findings.length) {
    out.push('', 'Report problems:');
    for (const f of findings) out.push(`  ${c.status(f.severity, f.severity.toUpperCase())} ${clean(f.file)}${f.record ? ` ${clean(f.record)}` : ''}: ${clean(f.message)}`);
  }
  if (reprobes) {
    out.push('', reprobes.length ? 'Probed today:' : 'Probed today: no failing MX host in the reports.');
    for (const x of reprobes) {
      const label = x.stillFails === null ? c.status('warning', 'NOT PROBED') : x.stillFails ? c.status('critical', 'STILL FAILS') : c.status('ok', 'PASSES NOW');
      const reported = x.reported.map((r) => `${clean(r.resultType)} ×${r.sessions}`).join(', ');
      out.push(`${label} ${x.policyType} ${clean(x.policyDomain)} ${clean(x.mxHost ?? '(every MX host)')} — reported: ${reported}`);
      if (x.note) out.push(`  ${clean(x.note)}`);
      for (const r of x.results) out.push(`  ${verdictLine(r, { color: o.color })}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The same as JSON: { summary, reports (file, error, findings, counts), reprobes }. */
export function tlsrptJson(reports: readonly TlsrptReport[], summary: TlsrptSummary, reprobes?: readonly TlsrptReprobe[]): string {
  const files = reports.map((r) => ({ file: r.file, error: r.error, compressed: r.compressed, bytes: r.bytes, organization: r.organization, reportId: r.reportId, dateRange: r.dateRange, policies: r.policies.length, findings: r.findings }));
  // Report files come from other organisations: their strings are made terminal-safe like a probe's.
  return `${safeJson(JSON.stringify({ summary, reports: files, ...(reprobes && { reprobes }) }, jsonReplacer, 2))}\n`;
}
