// Grade a scan against a named profile: findings (each naming the Postfix setting) and the worst
// severity as the status, so the exit code follows the profile's verdict.
import type { Status } from '../../types.js';
import type { ScanFinding, ScanProfileName } from '../types.js';
import { commonFindings, type ScanFacts } from './common.js';
import { ncscFindings } from './ncsc.js';
import { mozillaFindings } from './mozilla.js';

export const SCAN_PROFILES: readonly ScanProfileName[] = ['ncsc', 'mozilla-intermediate', 'mozilla-modern'];
export type { ScanFacts };

export function gradeScan(profile: ScanProfileName, r: ScanFacts): { status: Status; findings: ScanFinding[] } {
  const findings = commonFindings(r);
  if (!(r.error && !r.incomplete)) {
    if (profile === 'ncsc') findings.push(...ncscFindings(r));
    else findings.push(...mozillaFindings(r, profile === 'mozilla-modern'));
  }
  const rank = { info: 0, warning: 1, critical: 2 } as const;
  findings.sort((a, b) => rank[b.severity] - rank[a.severity]);
  const worst = findings[0]?.severity;
  return { status: worst === 'critical' ? 'critical' : worst === 'warning' ? 'warning' : 'ok', findings };
}
