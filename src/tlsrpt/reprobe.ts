// `mxprobe tlsrpt --reprobe`: does a failure the reports describe still happen today? Each
// policy domain with failures is probed the way the reporting sender connected — an MX lookup of
// the domain, under the reported policy type (sts → MTA-STS checked, tlsa → level dane,
// no-policy-found → level encrypt: opportunistic TLS that must at least work) — and the results
// for each failing MX host are kept.
import { parseDestination } from '../destination.js';
import { UsageError } from '../errors.js';
import { runProbes } from '../run.js';
import type { ProbeOptions, ProbeResult, TlsrptPolicyType, TlsrptReport, TlsrptReprobe } from '../types.js';
import { mxKey } from './summary.js';

export interface ReprobeOptions {
  /** Domains probed at once (default 4). */
  concurrency?: number;
  /** Port for the MX hosts (default 25; tests point it at a fixture). */
  port?: number;
}

/** The probe options a sender applying this policy type uses, on top of the user's. */
export function reprobeOptions(type: TlsrptPolicyType, base: ProbeOptions): ProbeOptions {
  if (type === 'sts') return { ...base, mtaSts: true, level: base.level === 'secure' ? 'secure' : 'verify' };
  if (type === 'tlsa') return { ...base, level: base.level === 'dane-only' ? 'dane-only' : 'dane' };
  return { ...base, level: 'encrypt' };
}

/** The failing MX hosts of the reports, by policy type and domain, with what was reported. */
export function failingMxHosts(reports: readonly TlsrptReport[]): Omit<TlsrptReprobe, 'results' | 'stillFails' | 'note'>[] {
  const out = new Map<string, Omit<TlsrptReprobe, 'results' | 'stillFails' | 'note'> & { byType: Map<string, number> }>();
  for (const r of reports) {
    for (const p of r.policies) {
      for (const f of p.failures) {
        const mx = f.receivingMxHostname ? mxKey(f.receivingMxHostname) : null;
        const key = `${p.policyType} ${mxKey(p.policyDomain)} ${mx ?? ''}`;
        const e = out.get(key) ?? { policyType: p.policyType, policyDomain: mxKey(p.policyDomain), mxHost: mx, reported: [], byType: new Map() };
        e.byType.set(f.resultType, (e.byType.get(f.resultType) ?? 0) + f.failedSessionCount);
        out.set(key, e);
      }
    }
  }
  return [...out.values()].map(({ byType, ...e }) => ({ ...e, reported: [...byType].map(([resultType, sessions]) => ({ resultType, sessions })).sort((a, b) => b.sessions - a.sessions) }));
}

const fails = (r: ProbeResult) => r.status === 'critical' || r.status === 'unknown';

/**
 * Probes every failing MX host of the reports; one entry per (policy type, domain, MX host). Each
 * (policy type, domain) is a job of the run engine with the options of its policy type, so the
 * re-probes get the same retries, per-address gate and shared connections as a list run.
 */
export async function reprobe(reports: readonly TlsrptReport[], base: ProbeOptions = {}, o: ReprobeOptions = {}): Promise<TlsrptReprobe[]> {
  const targets = failingMxHosts(reports);
  const groups = new Map<string, typeof targets>();
  for (const t of targets) {
    const key = `${t.policyType} ${t.policyDomain}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const list = [...groups.values()];
  // A report's policy-domain is the sender's text: one that is no destination is a note, not a crash.
  const unusable = new Map<number, string>();
  const jobs = list.flatMap((group, tag) => {
    try {
      const destination = parseDestination(`${group[0].policyDomain}:${o.port ?? 25}`);
      return [{ destination, options: { ...reprobeOptions(group[0].policyType, base), mxMode: 'all' as const }, tag }];
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      unusable.set(tag, `not probed: ${err.message}`);
      return [];
    }
  });
  const byGroup = new Map<number, ProbeResult[]>();
  await runProbes(jobs, base, {
    concurrency: o.concurrency ?? 4, perHost: 2, retries: 1, retryDelayMs: 1000,
    policyDns: jobs.some((j) => j.options.level === 'dane' || j.options.mtaSts),
    onDestination: (job, results) => byGroup.set(job.tag!, results),
  });
  return list.flatMap((group, i) => {
    const { policyDomain } = group[0];
    const results = byGroup.get(i) ?? [];
    if (unusable.has(i)) return group.map((t): TlsrptReprobe => ({ ...t, results: [], stillFails: null, note: unusable.get(i)! }));
    const mxNow = [...new Set(results.map((r) => mxKey(r.host)))];
    return group.map((t): TlsrptReprobe => {
      const mine = t.mxHost === null ? results : results.filter((r) => mxKey(r.host) === t.mxHost);
      if (mine.length === 0) {
        const dnsError = results.length === 1 && results[0].error?.phase === 'resolve' ? results[0].error.message : null;
        return { ...t, results: [], stillFails: null, note: dnsError ?? `not an MX host of ${policyDomain} today (MX now: ${mxNow.join(', ') || 'none'})` };
      }
      return { ...t, results: mine, stillFails: mine.some(fails), note: null };
    });
  });
}
