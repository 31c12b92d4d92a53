// `--resolver` addresses: a DNS server must be reachable without DNS, so only IP literals.
import { isIP } from '../ip.js';
import { UsageError } from '../errors.js';

/**
 * `--resolver` value → the form Resolver.setServers takes. Accepts 127.0.0.1, 127.0.0.1:5353,
 * ::1, [::1], [::1]:5353. Names are refused: the resolver must be reachable without DNS.
 */
export function parseResolverAddress(text: string): string {
  const fail = () => new UsageError(`invalid --resolver ${JSON.stringify(text)}: expected IP or IP:PORT ([IPv6]:PORT)`);
  const port = (p: string | undefined): string => {
    if (p === undefined) return '';
    if (!/^[0-9]{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw fail();
    return `:${Number(p)}`;
  };
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(text);
  if (bracketed) {
    if (isIP(bracketed[1]) !== 6) throw fail();
    return `[${bracketed[1]}]${port(bracketed[2])}`;
  }
  if (isIP(text) === 6) return text;
  const [address, p, extra] = text.split(':');
  if (extra !== undefined || isIP(address) !== 4) throw fail();
  return `${address}${port(p)}`;
}
