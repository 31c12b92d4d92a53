import { isIP } from './ip.js';
import type { ResolvedOptions } from './options.js';
import { defaultMatch } from './levels.js';

/**
 * The names the certificate must carry, the way Postfix picks them:
 * verify matches "hostname" (the MX host), secure "nexthop:dot-nexthop"
 * (the domain and its subdomains, never the MX name unless listed, since the
 * MX lookup is not secure). --match overrides the default list, --servername
 * (an expected name for an IP) replaces the host name. An IP literal with no
 * name is checked against IP SANs.
 */
export function referenceNames(o: Pick<ResolvedOptions, 'level' | 'match' | 'servername'>, t: { host: string; nexthop: string }): string[] {
  const hostname = o.servername ?? t.host;
  const expand = (m: string): string[] => {
    switch (m.toLowerCase()) {
      case 'hostname': return [hostname];
      case 'nexthop': return [t.nexthop];
      case 'dot-nexthop': return isIP(t.nexthop) ? [] : [`.${t.nexthop}`];
      default: return [m];
    }
  };
  let wanted: string[];
  if (o.level !== 'fingerprint' && o.match.length > 0) wanted = o.match.flatMap(expand);
  else if (o.level === 'secure' && !o.servername) wanted = defaultMatch('secure').flatMap(expand);
  else wanted = [hostname];
  return [...new Set(wanted.map((n) => n.toLowerCase().replace(/\.$/, '')))];
}
