// --format nagios: the Nagios/Icinga plugin line (Nagios plugin guidelines), exit code = worst status.
//   SMTP-TLS OK - mx1.example.com TLSv1.3, trusted, expires in 61 days | time=0.142s;;;0 days=61;21:;7:;0
// Several probes: worst status word, the counts, then each probe's summary, worst first;
// perfdata labelled per host ("mx1.example.com_time").
//
// Thresholds use the plugin guidelines' range syntax: "21:" means "alert when below 21"; a bare
// "21" would mean "alert when above 21", the opposite of what days-until-expiry needs.
import type { ProbeResult } from '../types.js';
import { countStatuses, formatCounts, STATUS_ORDER, statusWord, worstStatus } from './status.js';
import { clean, hostLabel } from './text.js';
import { certificateFacts, errorPhrase, findingPhrase, problemFindings } from './verdict.js';

export const NAGIOS_SERVICE = 'SMTP-TLS';

export interface NagiosOptions {
  warnDays: number;
  critDays: number;
}

/** One line ending in "\n". An empty list is UNKNOWN ("no probes"). */
export function renderNagios(input: ProbeResult | readonly ProbeResult[], options: NagiosOptions): string {
  const results: readonly ProbeResult[] = Array.isArray(input) ? input : [input as ProbeResult];
  const status = worstStatus(results.map((r) => r.status));
  const head = `${NAGIOS_SERVICE} ${statusWord(status)} - `;
  if (results.length === 0) return `${head}no probes\n`;

  const names = labels(results);
  if (results.length === 1) {
    const r = results[0];
    return `${head}${nagiosSummary(r, names[0])} | ${perfdata(r, '', options)}\n`;
  }
  const order = results
    .map((r, i) => ({ r, name: names[i] }))
    .sort((a, b) => STATUS_ORDER.indexOf(b.r.status) - STATUS_ORDER.indexOf(a.r.status));
  const text = [formatCounts(countStatuses(results)), ...order.map(({ r, name }) => `${statusWord(r.status)} ${nagiosSummary(r, name)}`)];
  const perf = results.map((r, i) => perfdata(r, `${names[i]}_`, options));
  return `${head}${text.join('; ')} | ${perf.join(' ')}\n`;
}

/** "mx1.example.com TLSv1.3, trusted, expires in 61 days" — '|' removed, it would start perfdata. */
export function nagiosSummary(r: ProbeResult, name: string = r.host): string {
  const problems = problemFindings(r).map(findingPhrase);
  const error = errorPhrase(r);
  let text: string;
  if (error) text = `${name}: ${[error, ...problems].join('; ')}`;
  else if (r.tls) {
    const facts = certificateFacts(r).filter((f) => f !== 'name matches');
    text = `${name} ${[[r.tls.protocol, ...facts].join(', '), ...problems].join('; ')}`;
  } else text = `${name} no TLS${problems.length ? `, ${problems.join('; ')}` : ''}`;
  return text.replace(/\|/g, '/');
}

/** Host names, or host[address]:port where one host name appears in several probes. */
function labels(results: readonly ProbeResult[]): string[] {
  const count = (key: (r: ProbeResult) => string) => {
    const seen = new Map<string, number>();
    for (const r of results) seen.set(key(r), (seen.get(key(r)) ?? 0) + 1);
    return (r: ProbeResult) => seen.get(key(r)) ?? 0;
  };
  const byHost = count((r) => r.host);
  const byConnection = count((r) => hostLabel(r));
  // Perfdata labels must be unique: one MX host serving two listed domains gets the destination too.
  return results.map((r) => (byConnection(r) > 1 ? `${clean(r.destination)} ${hostLabel(r)}` : byHost(r) > 1 ? hostLabel(r) : clean(r.host)));
}

function perfdata(r: ProbeResult, prefix: string, o: NagiosOptions): string {
  const items = [`${perfLabel(`${prefix}time`)}=${(r.timingMs.total / 1000).toFixed(3)}s;;;0`];
  const leaf = r.certificates[0];
  if (leaf) items.push(`${perfLabel(`${prefix}days`)}=${leaf.daysRemaining};${o.warnDays}:;${o.critDays}:;0`);
  return items.join(' ');
}

/** Labels may hold anything but "=" and "'"; quote the ones with other than [A-Za-z0-9_.-]. */
function perfLabel(label: string): string {
  const safe = label.replace(/['=]/g, '_');
  return /^[A-Za-z0-9_.-]+$/.test(safe) ? safe : `'${safe}'`;
}
