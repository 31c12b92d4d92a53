// Status words and counts for the renderers (the order is src/status.ts's; exit codes are
// src/commands/process.ts's).
import type { ProbeResult, Status } from '../types.js';
import { STATUS_ORDER } from '../status.js';

export { STATUS_ORDER, worstStatus } from '../status.js';

const WORDS: Record<Status, string> = { ok: 'OK', warning: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' };
/** "OK", "WARNING", "CRITICAL", "UNKNOWN". */
export function statusWord(status: Status): string {
  return WORDS[status];
}

export type StatusCounts = Record<Status, number>;

/** How many results have each status (every status present, zeros included). */
export function countStatuses(results: Iterable<Pick<ProbeResult, 'status'>>): StatusCounts {
  const counts: StatusCounts = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/**
 * "3 probes: 1 critical, 2 ok" — worst first, zero counts left out.
 */
export function formatCounts(counts: StatusCounts): string {
  const total = STATUS_ORDER.reduce((n, s) => n + counts[s], 0);
  const parts = [...STATUS_ORDER].reverse().filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return `${total} ${total === 1 ? 'probe' : 'probes'}${parts.length ? ': ' + parts.join(', ') : ''}`;
}
