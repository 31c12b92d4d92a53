// Many TLSRPT reports (a day's mail from Google, Microsoft, ...) added up: per policy (type and
// domain) the sessions that succeeded and failed, and the failures by receiving MX host and
// RFC 8460 §4.3 result type, largest first.
import type { TlsrptPolicySummary, TlsrptReport, TlsrptSummary } from '../types.js';

/** MX names compare without case and without a trailing dot (RFC 1035 §2.3.3). */
export const mxKey = (host: string): string => host.toLowerCase().replace(/\.$/, '');

export function summariseReports(reports: readonly TlsrptReport[]): TlsrptSummary {
  const policies = new Map<string, TlsrptPolicySummary & { byFailure: Map<string, { receivingMx: string | null; resultType: string; sessions: number }> }>();
  const organizations = new Set<string>();
  let start: string | null = null;
  let end: string | null = null;
  let unreadable = 0;
  for (const r of reports) {
    if (r.error) {
      unreadable++;
      continue;
    }
    unreadable += r.findings.filter((f) => f.severity === 'critical' && f.record !== null).length;
    if (r.organization) organizations.add(r.organization);
    if (r.dateRange.start && (start === null || r.dateRange.start < start)) start = r.dateRange.start;
    if (r.dateRange.end && (end === null || r.dateRange.end > end)) end = r.dateRange.end;
    const counted = new Set<string>();
    for (const p of r.policies) {
      const key = `${p.policyType} ${mxKey(p.policyDomain)}`;
      let s = policies.get(key);
      if (!s) {
        s = { policyType: p.policyType, policyDomain: mxKey(p.policyDomain), reports: 0, successful: 0, failed: 0, failures: [], byFailure: new Map() };
        policies.set(key, s);
      }
      if (!counted.has(key)) s.reports++;
      counted.add(key);
      s.successful += p.successful;
      s.failed += p.failed;
      for (const f of p.failures) {
        const mx = f.receivingMxHostname ? mxKey(f.receivingMxHostname) : null;
        const fk = `${mx ?? ''} ${f.resultType}`;
        const e = s.byFailure.get(fk) ?? { receivingMx: mx, resultType: f.resultType, sessions: 0 };
        e.sessions += f.failedSessionCount;
        s.byFailure.set(fk, e);
      }
    }
  }
  const list = [...policies.values()].map(({ byFailure, ...s }) => ({ ...s, failures: [...byFailure.values()].sort((a, b) => b.sessions - a.sessions) }));
  list.sort((a, b) => b.failed - a.failed || a.policyDomain.localeCompare(b.policyDomain));
  return { reports: reports.length, unreadable, organizations: [...organizations].sort(), period: { start, end }, policies: list };
}
