// Status order (DESIGN.md "Exit codes"): ok < warning < critical < unknown; the worst wins
// (EFF starttls checker's `Result`). One place for the probe verdict, policy entries,
// baselines and the renderers.
import type { Finding, Status } from './types.js';

/** Ascending severity. */
export const STATUS_ORDER: readonly Status[] = ['ok', 'warning', 'critical', 'unknown'];

export function worse(a: Status, b: Status): Status {
  return STATUS_ORDER.indexOf(a) >= STATUS_ORDER.indexOf(b) ? a : b;
}

/**
 * The worst of the statuses. An empty list is `unknown`: no probe ran, so nothing was checked,
 * and a monitoring system must not read that as success.
 */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst = -1;
  for (const s of statuses) worst = Math.max(worst, STATUS_ORDER.indexOf(s));
  return worst < 0 ? 'unknown' : STATUS_ORDER[worst];
}

/** The status findings add up to: the worst severity, info counting as ok (none: ok). */
export function statusOfFindings(findings: Iterable<Pick<Finding, 'severity'>>): Status {
  let status: Status = 'ok';
  for (const f of findings) status = worse(status, f.severity === 'info' ? 'ok' : f.severity);
  return status;
}
