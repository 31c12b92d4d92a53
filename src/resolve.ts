// Destination → hosts → addresses (DESIGN.md "Destinations"), with node:dns/promises.
// Failures are data: resolveDestination never rejects; errors carry phase 'resolve' and a stable code.
import type { Resolver } from 'node:dns/promises';
import { isIP } from './ip.js';
import { performance } from 'node:perf_hooks';
import { parseResolverAddress } from './dns/server-address.js';
import { BoundedMap } from './dns/bounded-map.js';
import type { Destination, Finding, ProbeErrorInfo } from './types.js';

/** Total time one DNS query may take, retries included. */
export const DEFAULT_DNS_TIMEOUT_MS = 5000;
export const DEFAULT_DNS_TRIES = 2;

export interface ResolverOptions {
  /** `--resolver` values: "IP", "IP:PORT", "[IPv6]:PORT". Empty or absent: the system's resolvers. */
  servers?: string[];
  /** Budget for one query, all tries included (default 5000). */
  timeoutMs?: number;
  /** Attempts per query (default 2). */
  tries?: number;
}

/** One Resolver per run, with a cache of promises so a name asked by many destinations is looked up once. */
export interface DnsResolver {
  readonly servers: string[];
  readonly timeoutMs: number;
  mx(name: string): Promise<{ exchange: string; priority: number }[]>;
  addresses(name: string, family: 4 | 6): Promise<string[]>;
}

export function createResolver(opts: ResolverOptions = {}): DnsResolver {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const tries = opts.tries ?? DEFAULT_DNS_TRIES;
  const servers = (opts.servers ?? []).map(parseResolverAddress);
  // c-ares 1.34 (Node 20) doubles the wait on each try, starting at twice `timeout`: measured
  // 2t, 4t, 8t for 1, 2, 3 tries. Sized so c-ares itself gives up near the budget; the deadline
  // below holds the budget whatever a c-ares version does.
  // Created on the first query: an IP-literal destination never loads node:dns.
  let resolver: Promise<Resolver> | null = null;
  const dns = () =>
    (resolver ??= import('node:dns/promises').then(({ Resolver: DnsResolverClass }) => {
      const r = new DnsResolverClass({ timeout: Math.max(1, Math.floor(timeoutMs / 2 ** tries)), tries });
      if (servers.length > 0) r.setServers(servers);
      return r;
    }));

  // Bounded (src/dns/bounded-map.ts): a list of a million domains keeps the recent answers only.
  const cache = new BoundedMap<string, Promise<unknown>>();
  function cached<T>(key: string, query: () => Promise<T>): Promise<T> {
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = withDeadline(query(), timeoutMs, key);
      hit.catch(() => {}); // cached failures are read later; never an unhandled rejection
      cache.set(key, hit);
    }
    return hit;
  }
  return {
    servers,
    timeoutMs,
    mx: name => cached(`MX ${name}`, async () => (await dns()).resolveMx(name)),
    addresses: (name, family) =>
      family === 4 ? cached(`A ${name}`, async () => (await dns()).resolve4(name))
        : cached(`AAAA ${name}`, async () => (await dns()).resolve6(name)),
  };
}

/** A dns error code ("ENOTFOUND", "ETIMEOUT", ...) as Node's resolver reports it. */
type DnsFailure = Error & { code?: string };

function withDeadline<T>(query: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(Object.assign(new Error(`${what}: no answer within ${ms} ms`), { code: 'ETIMEOUT' }));
    }, ms + 50);
    timer.unref();
  });
  return Promise.race([query, deadline]).finally(() => clearTimeout(timer));
}

export interface ResolvedHost {
  host: string;
  /** The MX record that named this host; null for `[host]`, IP literals and the implicit MX. */
  mx: { host: string; preference: number } | null;
  /** IPv4 first, then IPv6, each in the order the DNS answered. */
  addresses: { address: string; family: 4 | 6 }[];
  /** Why this host has no address (the other hosts of the destination are still probed). */
  error: ProbeErrorInfo | null;
}

/** Either `error` is set and `hosts` is empty, or `error` is null and `hosts` has at least one entry. */
export interface Resolution {
  /** Postfix next-hop: the domain of an MX lookup, else the host. */
  nexthop: string;
  hosts: ResolvedHost[];
  error: ProbeErrorInfo | null;
  findings: Finding[];
  timingMs: number;
}

export interface ResolveOptions {
  resolver: DnsResolver;
  /** -4 / -6: query only A or only AAAA. Default both. */
  family?: 4 | 6;
  /** --mx first: only the most preferred host (after tie shuffling); default all. */
  mxMode?: 'first' | 'all';
  signal?: AbortSignal;
}

const LOOPBACK: ResolvedHost['addresses'] = [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }];

export const isLocalhost = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

export async function resolveDestination(dest: Destination, opts: ResolveOptions): Promise<Resolution> {
  const started = performance.now();
  const findings: Finding[] = [];
  const done = (hosts: ResolvedHost[], error: ProbeErrorInfo | null = null): Resolution =>
    ({ nexthop: dest.host, hosts, error, findings, timingMs: Math.round(performance.now() - started) });
  try {
    const literal = isIP(dest.host);
    if (literal === 4 || literal === 6) {
      // No DNS at all for an IP literal; a family excluded by -4/-6 is the user's contradiction.
      const excluded = opts.family !== undefined && opts.family !== literal;
      return done([{
        host: dest.host, mx: null,
        addresses: excluded ? [] : [{ address: dest.host, family: literal }],
        error: excluded ? fail('dns-no-address', `${dest.host} is an IPv${literal} address, excluded by -${opts.family}`) : null,
      }]);
    }
    if (isLocalhost(dest.host)) {
      // RFC 6761 §6.3: localhost names are the loopback addresses, without asking DNS (which
      // may well answer NXDOMAIN) — `mxprobe '[localhost]:25'` right after editing main.cf.
      const addresses = LOOPBACK.filter((a) => opts.family === undefined || a.family === opts.family);
      return done([{ host: dest.host, mx: null, addresses, error: addresses.length ? null : fail('dns-no-address', `no IPv${opts.family} loopback address`) }]);
    }
    if (!dest.mxLookup) return done([await resolveHost(dest.host, null, opts, findings)]);

    const mx = await lookupMx(dest.host, opts, findings);
    if ('error' in mx) return done([], mx.error);
    const chosen = opts.mxMode === 'first' ? mx.hosts.slice(0, 1) : mx.hosts;
    return done(await Promise.all(chosen.map(m => resolveHost(m?.host ?? dest.host, m, opts, findings))));
  } catch (err) {
    if (isAbort(err, opts.signal)) return done([], fail('aborted', `DNS resolution of ${dest.host} aborted`));
    throw err;
  }
}

type MxHost = { host: string; preference: number };

async function lookupMx(
  domain: string, opts: ResolveOptions, findings: Finding[],
): Promise<{ hosts: (MxHost | null)[] } | { error: ProbeErrorInfo }> {
  let records: { exchange: string; priority: number }[];
  try {
    records = await abortable(opts.resolver.mx(domain), opts.signal);
  } catch (err) {
    if (isAbort(err, opts.signal)) throw err;
    const code = (err as DnsFailure).code;
    if (code !== 'ENODATA') return { error: queryFailure(err, 'MX', domain, opts.resolver) };
    records = [];
  }
  if (records.length === 0) {
    // RFC 5321 §5.1: no MX records → the domain itself is the implicit MX (mx: null).
    findings.push({ severity: 'info', code: 'implicit-mx', message: `${domain} has no MX records; using its own address records (RFC 5321 §5.1)` });
    return { hosts: [null] };
  }

  const nulls = records.filter(r => r.exchange === '' || r.exchange === '.');
  if (nulls.length === records.length) {
    const message = 'domain accepts no mail (null MX, RFC 7505)';
    findings.push({ severity: 'critical', code: 'null-mx', message: `${domain}: ${message}` });
    return { error: fail('null-mx', message) };
  }
  if (nulls.length > 0) {
    findings.push({ severity: 'warning', code: 'null-mx-mixed', message: `${domain} publishes a null MX next to other MX records (RFC 7505 §3); the null MX is ignored` });
  }

  const byHost = new Map<string, MxHost>();
  for (const r of records) {
    if (r.exchange === '' || r.exchange === '.') continue;
    const host = r.exchange.toLowerCase().replace(/\.$/, '');
    // RFC 5321 §5.1 wants a domain name here; Postfix skips numeric MX targets with a warning.
    if (isIP(host)) {
      findings.push({ severity: 'warning', code: 'mx-numeric', message: `MX record of ${domain} names an IP address (${host}), not a host name; skipped as Postfix does` });
      continue;
    }
    const seen = byHost.get(host);
    if (!seen || r.priority < seen.preference) byHost.set(host, { host, preference: r.priority });
  }
  if (byHost.size === 0) return { error: fail('dns-no-address', `no usable MX host for ${domain}`) };
  return { hosts: sortByPreference([...byHost.values()]) };
}

/** Lowest preference first; equal preferences in random order (RFC 5321 §5.1). */
export function sortByPreference<T extends { preference: number }>(hosts: T[], random: () => number = Math.random): T[] {
  const shuffled = [...hosts];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  // Array.prototype.sort is stable, so the shuffle decides the order within a preference.
  return shuffled.sort((a, b) => a.preference - b.preference);
}

async function resolveHost(
  host: string, mx: MxHost | null, opts: ResolveOptions, findings: Finding[],
): Promise<ResolvedHost> {
  const families: (4 | 6)[] = opts.family ? [opts.family] : [4, 6];
  const answers = await Promise.allSettled(families.map(f => abortable(opts.resolver.addresses(host, f), opts.signal)));
  const addresses: ResolvedHost['addresses'] = [];
  const hard: { type: string; err: unknown }[] = [];
  let nxdomain = false;
  answers.forEach((answer, i) => {
    const family = families[i];
    if (answer.status === 'fulfilled') {
      for (const address of answer.value) addresses.push({ address, family });
      return;
    }
    if (isAbort(answer.reason, opts.signal)) throw answer.reason;
    const code = (answer.reason as DnsFailure).code;
    if (code === 'ENOTFOUND') nxdomain = true;
    else if (code !== 'ENODATA') hard.push({ type: family === 4 ? 'A' : 'AAAA', err: answer.reason });
  });

  const what = mx ? `MX host ${host}` : host;
  if (addresses.length > 0) {
    for (const h of hard) {
      const e = queryFailure(h.err, h.type, host, opts.resolver);
      findings.push({ severity: 'warning', code: 'dns-partial', message: `${e.message}; using the other address family` });
    }
    return { host, mx, addresses, error: null };
  }
  const error = hard.length > 0 ? queryFailure(hard[0].err, hard[0].type, host, opts.resolver)
    : nxdomain ? fail('dns-nxdomain', `${what} does not exist (NXDOMAIN)`)
    : fail('dns-no-address', `${what} has no ${families.map(f => (f === 4 ? 'A' : 'AAAA')).join(' or ')} record`);
  return { host, mx, addresses, error };
}

function queryFailure(err: unknown, type: string, name: string, resolver: DnsResolver): ProbeErrorInfo {
  const code = (err as DnsFailure).code ?? 'EUNKNOWN';
  if (code === 'ENOTFOUND') return fail('dns-nxdomain', `${name} does not exist (NXDOMAIN)`);
  if (code === 'ETIMEOUT') {
    return fail('timeout', `DNS timeout looking up ${type} ${name} after ${resolver.timeoutMs} ms (ETIMEOUT)`);
  }
  return fail('dns-error', `DNS lookup of ${type} ${name} failed (${code})`);
}

function fail(code: ProbeErrorInfo['code'], message: string): ProbeErrorInfo {
  return { phase: 'resolve', code, message };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && err === signal.reason;
}
