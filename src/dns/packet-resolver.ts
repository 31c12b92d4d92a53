// A DnsResolver (resolve.ts) built on the dns-packet client, for the lookups whose
// DNSSEC status matters (levels dane/dane-only) and the record types Node cannot
// ask for (TLSA). Same contract as createResolver: a per-run promise cache, one
// budget per query with the tries included, Node-style error codes (ENOTFOUND,
// ENODATA, ESERVFAIL, ETIMEOUT) so resolve.ts reports failures the same way.
import type { RecordType } from 'dns-packet';
import type { DnsResolver } from '../resolve.js';
import { DEFAULT_DNS_TIMEOUT_MS, DEFAULT_DNS_TRIES } from '../resolve.js';
import { queryServer, DnsQueryError, type DnsMessage } from './client.js';
import { serverFromText, systemDnsServers, type DnsServer } from './resolv-conf.js';
import { BoundedMap } from './bounded-map.js';

/** One answered question, whatever its rcode: rcodes are data here, not exceptions. */
export interface DnsLookup {
  name: string;
  type: RecordType;
  rcode: string;
  /** The AD bit of the answer: true only when the resolver validated it (and we trust the resolver). */
  ad: boolean;
  /** The name the records belong to after following CNAMEs in the answer (RFC 7672 §2.2.2). */
  canonical: string;
  /** rdata of the records of `type` at `canonical`. */
  records: unknown[];
  transport: 'udp' | 'tcp';
}

export interface PacketResolver extends DnsResolver {
  /** Cached lookup; rejects only when no server answered (DnsQueryError). */
  lookup(name: string, type: RecordType): Promise<DnsLookup>;
  /** A lookup already made in this run (no query), e.g. to read the AD bit of the MX answer. */
  seen(name: string, type: RecordType): Promise<DnsLookup> | undefined;
}

export interface PacketResolverOptions {
  /** `--resolver` values as parseResolverAddress returns them; empty: /etc/resolv.conf. */
  servers?: string[];
  timeoutMs?: number;
  tries?: number;
  /** For tests: resolv.conf to read instead of /etc/resolv.conf. */
  resolvConf?: string;
}

type Failure = Error & { code: string };
const failure = (message: string, code: string): Failure => Object.assign(new Error(message), { code });

export function createPacketResolver(opts: PacketResolverOptions = {}): PacketResolver {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const tries = opts.tries ?? DEFAULT_DNS_TRIES;
  const servers: DnsServer[] = opts.servers?.length ? opts.servers.map(serverFromText) : systemDnsServers(opts.resolvConf);
  const cache = new BoundedMap<string, Promise<DnsLookup>>();
  const key = (name: string, type: string) => `${type} ${name.toLowerCase().replace(/\.$/, '')}`;

  async function ask(name: string, type: RecordType): Promise<DnsLookup> {
    const started = Date.now();
    let last: unknown = null;
    // Servers in order, `tries` rounds, the whole budget shared (resolv.conf(5) semantics).
    for (let round = 0; round < tries; round++) {
      for (const server of servers) {
        const left = timeoutMs - (Date.now() - started);
        if (left <= 0) break;
        const slice = Math.max(1, Math.floor(left / Math.max(1, (tries - round) * servers.length - servers.indexOf(server))));
        try {
          return toLookup(name, type, await queryServer(server, name, type, { timeoutMs: slice }));
        } catch (err) {
          if (!(err instanceof DnsQueryError)) throw err;
          last = err;
        }
      }
    }
    const code = last instanceof DnsQueryError ? last.code : 'ETIMEOUT';
    throw failure(last instanceof Error ? last.message : `${type} ${name}: no answer within ${timeoutMs} ms`, code);
  }

  const lookup = (name: string, type: RecordType): Promise<DnsLookup> => {
    const k = key(name, type);
    let hit = cache.get(k);
    if (!hit) {
      hit = ask(name, type);
      hit.catch(() => {}); // read later; never an unhandled rejection
      cache.set(k, hit);
    }
    return hit;
  };

  /** Node's resolver contract: records, or a rejection with ENOTFOUND / ENODATA / E<RCODE>. */
  const records = async <T>(name: string, type: RecordType): Promise<T[]> => {
    const l = await lookup(name, type);
    if (l.rcode === 'NXDOMAIN') throw failure(`${type} ${name}: NXDOMAIN`, 'ENOTFOUND');
    if (l.rcode !== 'NOERROR') throw failure(`${type} ${name}: ${l.rcode}`, `E${l.rcode}`);
    if (l.records.length === 0) throw failure(`${type} ${name}: no ${type} records`, 'ENODATA');
    return l.records as T[];
  };

  return {
    servers: servers.map((s) => `${s.address}:${s.port}`),
    timeoutMs,
    lookup,
    seen: (name, type) => cache.get(key(name, type)),
    mx: async (name) =>
      (await records<{ preference: number; exchange: string }>(name, 'MX')).map((r) => ({ exchange: r.exchange, priority: r.preference })),
    addresses: (name, family) => records<string>(name, family === 4 ? 'A' : 'AAAA'),
  };
}

function toLookup(name: string, type: RecordType, msg: DnsMessage): DnsLookup {
  // Follow the CNAME chain the answer carries, from the question name on (RFC 1034 §3.6.2).
  let canonical = name.toLowerCase().replace(/\.$/, '');
  const same = (a: string) => a.toLowerCase().replace(/\.$/, '') === canonical;
  for (let hops = 0; hops < 16; hops++) {
    const alias = msg.answers.find((a) => a.type === 'CNAME' && same(a.name)) as { data: unknown } | undefined;
    if (!alias || type === 'CNAME') break;
    canonical = String(alias.data).toLowerCase().replace(/\.$/, '');
  }
  const records = msg.answers.filter((a) => a.type === type && same(a.name)).map((a) => (a as { data: unknown }).data);
  return { name, type, rcode: msg.rcode, ad: msg.ad, canonical, records, transport: msg.transport };
}
