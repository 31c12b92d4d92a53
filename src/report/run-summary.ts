// The end-of-run summary for many targets, built as results stream past so nothing but counts
// and the few slowest probes is kept (memory flat in the number of targets):
//
//   1000 probes: 3 critical, 12 warning, 985 ok
//   errors: 2 timeout, 1 refused
//   slowest: mx.example.net[192.0.2.7]:25 9.8 s, mx2.example.org[198.51.100.2]:25 4.1 s
//   run: 1000 destinations, 940 connections (60 shared), 4 retried, 12.3 s
import type { ProbeResult, Status } from '../types.js';
import { countStatuses, formatCounts, type StatusCounts } from './status.js';
import { clean, hostLabel } from './text.js';

const SLOWEST = 5;
/** Interrupted runs name this many of the destinations they did not probe. */
export const NAMED_NOT_PROBED = 10;

export interface RunFacts {
  destinations: number;
  connections: number;
  shared: number;
  retried: number;
  elapsedMs: number;
  /** Lines of -f lists that could not be parsed. */
  badLines?: number;
  duplicates?: number;
  /** The run was interrupted: the destinations it did not probe (the first few of them) … */
  notProbed?: readonly string[];
  /** … and how many there were (default: notProbed.length). */
  notProbedCount?: number;
  /** Connection attempts the servers turned away for their limits (`rate-limited`). */
  rateLimited?: number;
  /** Addresses the run slowed down after a 421 or a rate limit. */
  slowedAddresses?: number;
  /** --shard K/N: this shard, and the destinations left to the others. */
  shard?: { index: number; count: number; otherShard: number };
  /** The summary table was left out: more results than this. */
  summaryTableLimit?: number;
}

export class RunTally {
  readonly counts: StatusCounts = countStatuses([]);
  readonly errors = new Map<string, number>();
  private slowest: { label: string; ms: number }[] = [];
  results = 0;
  /** Results that failed (critical or unknown). */
  failures = 0;

  add(r: ProbeResult): void {
    this.results++;
    this.counts[r.status]++;
    if (r.status === 'critical' || r.status === 'unknown') this.failures++;
    if (r.error) this.errors.set(r.error.code, (this.errors.get(r.error.code) ?? 0) + 1);
    const ms = r.timingMs.total;
    if (this.slowest.length < SLOWEST || ms > this.slowest[this.slowest.length - 1].ms) {
      const label = hostLabel(r);
      if (!this.slowest.some((s) => s.label === label)) {
        this.slowest.push({ label, ms });
        this.slowest.sort((a, b) => b.ms - a.ms);
        this.slowest.length = Math.min(this.slowest.length, SLOWEST);
      }
    }
  }

  worst(): Status {
    return this.counts.unknown ? 'unknown' : this.counts.critical ? 'critical' : this.counts.warning ? 'warning' : this.results ? 'ok' : 'unknown';
  }

  /** The counts line, the error line (when any failed), then `extra`. */
  render(facts?: RunFacts): string {
    return [formatCounts(this.counts), ...this.errorLine(), ...this.extra(facts)].map((l) => `${l}\n`).join('');
  }

  /** What summaryTable does not already say: slowest probes and the run's own facts. */
  extra(facts?: RunFacts): string[] {
    const lines: string[] = [];
    if (this.results > 1 && this.slowest.length) lines.push(`slowest: ${this.slowest.map((s) => `${s.label} ${seconds(s.ms)}`).join(', ')}`);
    if (facts) {
      const parts = [`${facts.destinations} destination${facts.destinations === 1 ? '' : 's'}`];
      if (facts.shard) parts.push(`shard ${facts.shard.index}/${facts.shard.count} (${facts.shard.otherShard} left to other shards)`);
      parts.push(`${facts.connections} connection${facts.connections === 1 ? '' : 's'}${facts.shared ? ` (${facts.shared} shared)` : ''}`);
      if (facts.retried) parts.push(`${facts.retried} retried`);
      if (facts.rateLimited) parts.push(`${facts.rateLimited} turned away by rate limits`);
      if (facts.slowedAddresses) parts.push(`${facts.slowedAddresses} address${facts.slowedAddresses === 1 ? '' : 'es'} slowed down`);
      if (facts.duplicates) parts.push(`${facts.duplicates} duplicate${facts.duplicates === 1 ? '' : 's'} skipped`);
      if (facts.badLines) parts.push(`${facts.badLines} bad line${facts.badLines === 1 ? '' : 's'}`);
      parts.push(seconds(facts.elapsedMs));
      lines.push(`run: ${parts.join(', ')}`);
      const n = facts.notProbedCount ?? facts.notProbed?.length ?? 0;
      if (n) {
        const shown = facts.notProbed!.slice(0, NAMED_NOT_PROBED).map((d) => clean(d)).join(', ');
        const named = Math.min(n, NAMED_NOT_PROBED, facts.notProbed?.length ?? 0);
        lines.push(`interrupted: ${n} destination${n === 1 ? '' : 's'} not probed: ${shown}${n > named ? `, and ${n - named} more (--ndjson lists each)` : ''}`);
      }
      if (facts.summaryTableLimit !== undefined) lines.push(`summary table left out: more than ${facts.summaryTableLimit} results (each one's table is above; the counts cover all ${this.results})`);
    }
    return lines;
  }

  private errorLine(): string[] {
    if (this.errors.size === 0) return [];
    const parts = [...this.errors].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([code, n]) => `${n} ${code}`);
    return [`errors: ${parts.join(', ')}`];
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
