// The system's DNS servers, as the C library finds them: `nameserver` lines of
// /etc/resolv.conf (resolv.conf(5)), at most three, port 53; none → 127.0.0.1.
import { readFileSync } from 'node:fs';
import { isIP } from '../ip.js';

export interface DnsServer {
  address: string;
  port: number;
}

/** Parse resolv.conf text; `%scope` suffixes of link-local IPv6 servers are dropped. */
export function parseResolvConf(text: string): DnsServer[] {
  const servers: DnsServer[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const address = m[1].replace(/%.*$/, '');
    if (isIP(address) && servers.length < 3) servers.push({ address, port: 53 });
  }
  return servers;
}

export function systemDnsServers(path = '/etc/resolv.conf'): DnsServer[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // resolv.conf(5): without the file, the local host is the name server.
  }
  const servers = parseResolvConf(text);
  return servers.length ? servers : [{ address: '127.0.0.1', port: 53 }];
}

/** "IP", "IP:PORT", "[IPv6]:PORT", "IPv6" (the forms parseResolverAddress returns) → a server. */
export function serverFromText(text: string): DnsServer {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { address: bracketed[1], port: Number(bracketed[2] ?? 53) };
  if (isIP(text) === 6) return { address: text, port: 53 };
  const [address, port] = text.split(':');
  return { address, port: Number(port ?? 53) };
}
