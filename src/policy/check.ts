// checkPolicy: a tls_policy table → one verdict per entry, the library call behind
// `mxprobe policy`. Each entry that names servers becomes a job of the one run engine (src/run.ts)
// with the entry's level and attributes as its options — the same DNS (DANE TLSA and MTA-STS
// lookups through --resolver), retries, per-address gate and interrupt handling as a list run —
// and its results are worded by evaluate.ts. Nothing here judges a server.
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { parseDestination } from '../destination.js';
import { resolveOptions } from '../options.js';
import { daneBased } from '../levels.js';
import { runProbes, type RunOptions, type RunStats } from '../run.js';
import type { ProbeOptions, ProbeResult } from '../types.js';
import { lintPolicy, type LintFinding } from './lint.js';
import { baseOf, cannotProbe, judgeEntry, prepareEntry, type PolicyContext, type PolicyVerdict } from './evaluate.js';
import { readPolicyFile, type PolicyEntry, type PolicyTable } from './table.js';

export interface PolicyCheckOptions extends Omit<RunOptions<number>, 'onResult' | 'onDestination' | 'onNotProbed' | 'policyDns'> {
  /** Lint only: no entry is probed. */
  offline?: boolean;
  /** `--domain NAME`: probe ".domain" pattern entries as this domain. */
  domain?: string;
  /** Port for keys that name none (Postfix's is 25). */
  defaultPort?: number;
  /** Each entry's verdict, in table order, as soon as it and every entry before it are done. */
  onVerdict?: (verdict: PolicyVerdict) => void;
}

export interface PolicyCheck {
  table: PolicyTable;
  /** One per entry, in table order. */
  verdicts: PolicyVerdict[];
  /** Lint findings on lines that belong to no entry (skipped lines, table-wide problems). */
  tableLint: LintFinding[];
  stats: RunStats;
}

/** Lints on an entry's lines go with the entry; the rest (skipped lines) belong to the table. */
function splitLint(table: PolicyTable, lint: LintFinding[]): { byEntry: Map<PolicyEntry, LintFinding[]>; orphans: LintFinding[] } {
  const byEntry = new Map<PolicyEntry, LintFinding[]>(table.entries.map((e) => [e, []]));
  const orphans: LintFinding[] = [];
  for (const f of lint) {
    const entry = table.entries.find((e) => f.line >= e.line && f.line <= e.endLine);
    if (entry) byEntry.get(entry)!.push(f);
    else orphans.push(f);
  }
  return { byEntry, orphans };
}

/** tafile= contents by path, for the entries that name one (unreadable files are left out: lint says so). */
function readTafiles(table: PolicyTable): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of table.entries.flatMap((e) => e.attrs.tafile ?? [])) {
    try {
      out.set(f, readFileSync(f, 'utf8'));
    } catch {
      // lint says "tafile ... does not exist"; the trust store is used instead (a note says so).
    }
  }
  return out;
}

/** A verdict for an entry whose probing the interrupted run never started. */
function interrupted(v: Omit<PolicyVerdict, 'deliver' | 'state' | 'status' | 'because' | 'hosts' | 'results'>): PolicyVerdict {
  return { ...v, deliver: null, state: 'not-probed', status: 'unknown', because: 'not probed: the run was interrupted before this entry', hosts: [], results: [] };
}

/**
 * Check every entry of a tls_policy table (a path or a parsed table) against the servers it names.
 * Never rejects for a server's fault; a UsageError for options that cannot work at all.
 */
export async function checkPolicy(source: string | PolicyTable, probeOptions: ProbeOptions, o: PolicyCheckOptions): Promise<PolicyCheck> {
  const table = typeof source === 'string' ? await readPolicyFile(source) : source;
  // Every flag checked before the first packet (each entry's own level and attributes later).
  resolveOptions({ ...probeOptions, level: 'may' });
  const lint = lintPolicy(table, { fileExists: existsSync });
  const { byEntry, orphans } = splitLint(table, lint);
  const ctx: PolicyContext & { offline?: boolean } = { domain: o.domain, tafiles: readTafiles(table), defaultPort: o.defaultPort, offline: o.offline };
  const verdicts: (PolicyVerdict | undefined)[] = new Array(table.entries.length);
  let printed = 0;
  const settle = (i: number, v: PolicyVerdict) => {
    verdicts[i] = v;
    // (The index moves outside the call: `o.onVerdict?.(x[i++])` skips the argument when unset.)
    while (printed < verdicts.length && verdicts[printed]) {
      const next = verdicts[printed++]!;
      o.onVerdict?.(next);
    }
  };

  const jobs: { destination: ReturnType<typeof parseDestination>; options: ProbeOptions; tag: number }[] = [];
  const prepared = table.entries.map((entry, i) => {
    const lintOf = byEntry.get(entry) ?? [];
    const p = prepareEntry(entry, probeOptions, lintOf, ctx, (opts) => resolveOptions(opts));
    if (p.kind !== 'probe') return p;
    try {
      const destination = parseDestination(p.destination, { starttls: probeOptions.starttls, implicit: probeOptions.implicit });
      jobs.push({ destination, options: { ...p.options, mxMode: 'all' }, tag: i });
      return p;
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      return { kind: 'verdict' as const, verdict: cannotProbe(entry, lintOf, p.destination, err.message, p.notes) };
    }
  });
  // Verdicts that need no probe are known now; they go out in table order as the probes finish.
  prepared.forEach((p, i) => {
    if (p.kind === 'verdict') settle(i, p.verdict);
  });
  const byIndex = new Map<number, ProbeResult[]>();
  const stats = await runProbes(jobs, probeOptions, {
    ...o,
    policyDns: jobs.some((j) => daneBased(j.options.level)),
    onDestination: (job, results, complete) => {
      const i = job.tag!;
      const p = prepared[i];
      if (p.kind !== 'probe') return;
      const entry = table.entries[i];
      byIndex.set(i, results);
      settle(i, complete ? judgeEntry(entry, p.destination, results, byEntry.get(entry) ?? [], p.notes) : interrupted({ ...baseOf(entry, p.destination, byEntry.get(entry) ?? []), notes: p.notes }));
    },
    onNotProbed: (job) => {
      const i = job.tag!;
      const p = prepared[i];
      if (p.kind !== 'probe') return;
      const entry = table.entries[i];
      settle(i, interrupted({ ...baseOf(entry, p.destination, byEntry.get(entry) ?? []), notes: p.notes }));
    },
  });
  return { table, verdicts: verdicts as PolicyVerdict[], tableLint: orphans, stats };
}
