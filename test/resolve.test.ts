// Resolution against the DNS fixture on 127.0.0.1 only, never the machine's resolver.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDnsServer, type DnsFixture } from '../fixtures/dns-server.js';
import { parseDestination } from '../src/destination.js';
import { parseResolverAddress } from '../src/dns/server-address.js';
import { UsageError } from '../src/errors.js';
import {
  createResolver, resolveDestination, sortByPreference,
  type ResolveOptions,
} from '../src/resolve.js';

let dns: DnsFixture;

beforeAll(async () => {
  dns = await startDnsServer({
    'two.test': { MX: [{ preference: 20, exchange: 'mx2.two.test' }, { preference: 10, exchange: 'mx1.two.test' }] },
    'mx1.two.test': { A: ['127.0.0.11'], AAAA: ['::1'] },
    'mx2.two.test': { A: ['127.0.0.12'] },
    'tie.test': {
      MX: ['a', 'b', 'c'].map(h => ({ preference: 10, exchange: `${h}.tie.test` }))
        .concat({ preference: 20, exchange: 'd.tie.test' }),
    },
    'a.tie.test': { A: ['127.0.0.21'] },
    'b.tie.test': { A: ['127.0.0.22'] },
    'c.tie.test': { A: ['127.0.0.23'] },
    'd.tie.test': { A: ['127.0.0.24'] },
    'nomx.test': { A: ['127.0.0.30'], AAAA: ['2001:db8::30'], TXT: ['v=spf1 -all'] },
    'nullmx.test': { MX: [{ preference: 0, exchange: '.' }], A: ['127.0.0.40'] },
    'mixednull.test': { MX: [{ preference: 0, exchange: '.' }, { preference: 10, exchange: 'mx2.two.test' }] },
    'dangling.test': { MX: [{ preference: 10, exchange: 'noaddr.dangling.test' }, { preference: 20, exchange: 'mx2.two.test' }] },
    'noaddr.dangling.test': { TXT: ['no address here'] },
    'gone.test': { MX: [{ preference: 10, exchange: 'missing.gone.test' }] },
    'numeric.test': { MX: [{ preference: 10, exchange: '192.0.2.1' }] },
    'alias.test': { MX: [{ preference: 10, exchange: 'alias.mx.test' }] },
    'alias.mx.test': { CNAME: 'real.mx.test' },
    'real.mx.test': { A: ['127.0.0.50'] },
    'host.test': { A: ['127.0.0.60', '127.0.0.61'], AAAA: ['::1'] },
    'v6only.test': { AAAA: ['::1'] },
    'd1.test': { MX: [{ preference: 10, exchange: 'shared.mx.test' }] },
    'd2.test': { MX: [{ preference: 10, exchange: 'shared.mx.test' }] },
    'shared.mx.test': { A: ['127.0.0.70'] },
    'servfail.test': { rcode: 'SERVFAIL' },
    'refused.test': { rcode: 'REFUSED' },
    'mxservfail.test': { MX: [{ preference: 10, exchange: 'servfail.test' }] },
    'silent.test': { silent: true },
    'big.test': { truncate: true, A: ['127.0.0.80'] },
    'signed.test': { TXT: ['v=STSv1; id=1'], ad: true },
  });
});
afterAll(() => dns?.close());

const resolve = (input: string, opts: Partial<ResolveOptions> = {}) =>
  resolveDestination(parseDestination(input), { resolver: createResolver({ servers: [dns.server] }), ...opts });
const asked = (name: string) => dns.queries.filter(q => q.name === name).map(q => q.type);
const v4 = (...a: string[]) => a.map(address => ({ address, family: 4 }));
const v6 = (...a: string[]) => a.map(address => ({ address, family: 6 }));

describe('MX lookup', () => {
  test('two preferences: lowest first, every host reported with its addresses', async () => {
    const r = await resolve('two.test');
    expect(r.error).toBeNull();
    expect(r.nexthop).toBe('two.test');
    expect(r.hosts).toEqual([
      { host: 'mx1.two.test', mx: { host: 'mx1.two.test', preference: 10 }, addresses: [...v4('127.0.0.11'), ...v6('::1')], error: null },
      { host: 'mx2.two.test', mx: { host: 'mx2.two.test', preference: 20 }, addresses: v4('127.0.0.12'), error: null },
    ]);
    expect(r.timingMs).toBeGreaterThanOrEqual(0);
  });

  test('--mx first keeps only the most preferred host', async () => {
    const r = await resolve('two.test', { mxMode: 'first' });
    expect(r.hosts.map(h => h.host)).toEqual(['mx1.two.test']);
  });

  test('equal preferences are shuffled, never lost, and stay ahead of higher ones', async () => {
    const resolver = createResolver({ servers: [dns.server] });
    const orders = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const r = await resolveDestination(parseDestination('tie.test'), { resolver });
      const hosts = r.hosts.map(h => h.host);
      expect([...hosts.slice(0, 3)].sort()).toEqual(['a.tie.test', 'b.tie.test', 'c.tie.test']);
      expect(hosts[3]).toBe('d.tie.test');
      orders.add(hosts.join(' '));
    }
    expect(orders.size).toBeGreaterThan(1); // 6 orders possible; one order 40 times: p ≈ 6^-39
  });

  test('no MX records: the domain itself, as the implicit MX (RFC 5321 §5.1)', async () => {
    const r = await resolve('nomx.test');
    expect(r.error).toBeNull();
    expect(r.hosts).toEqual([{ host: 'nomx.test', mx: null, addresses: [...v4('127.0.0.30'), ...v6('2001:db8::30')], error: null }]);
    expect(r.findings.map(f => f.code)).toEqual(['implicit-mx']);
  });

  test('null MX: a critical finding, no hosts, no address lookups', async () => {
    const r = await resolve('nullmx.test');
    expect(r.error).toEqual({ phase: 'resolve', code: 'null-mx', message: 'domain accepts no mail (null MX, RFC 7505)' });
    expect(r.hosts).toEqual([]);
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'critical', code: 'null-mx' })]);
    expect(asked('nullmx.test')).toEqual(['MX']);
  });

  test('null MX beside real MX records: ignored with a warning', async () => {
    const r = await resolve('mixednull.test');
    expect(r.error).toBeNull();
    expect(r.hosts.map(h => h.host)).toEqual(['mx2.two.test']);
    expect(r.findings.map(f => f.code)).toEqual(['null-mx-mixed']);
  });

  test('NXDOMAIN', async () => {
    const r = await resolve('nowhere.test');
    expect(r.error).toMatchObject({ phase: 'resolve', code: 'dns-nxdomain' });
    expect(r.hosts).toEqual([]);
  });

  test('MX host with no address: that host fails, the others remain', async () => {
    const r = await resolve('dangling.test');
    expect(r.error).toBeNull();
    expect(r.hosts.map(h => [h.host, h.error?.code ?? null, h.addresses.length])).toEqual([
      ['noaddr.dangling.test', 'dns-no-address', 0],
      ['mx2.two.test', null, 1],
    ]);
    expect(r.hosts[0].error).toMatchObject({ phase: 'resolve', message: 'MX host noaddr.dangling.test has no A or AAAA record' });
  });

  test('MX host that does not exist: dns-nxdomain on that host', async () => {
    const r = await resolve('gone.test');
    expect(r.hosts.map(h => [h.host, h.error?.code])).toEqual([['missing.gone.test', 'dns-nxdomain']]);
  });

  test('MX naming an IP address: skipped like Postfix, with a warning', async () => {
    const r = await resolve('numeric.test');
    expect(r.error).toMatchObject({ code: 'dns-no-address' });
    expect(r.findings.map(f => f.code)).toEqual(['mx-numeric']);
  });

  test('MX target that is a CNAME is followed', async () => {
    const r = await resolve('alias.test');
    expect(r.hosts).toEqual([{ host: 'alias.mx.test', mx: { host: 'alias.mx.test', preference: 10 }, addresses: v4('127.0.0.50'), error: null }]);
  });

  test('MX target whose lookup fails: dns-error on that host', async () => {
    const r = await resolve('mxservfail.test', { family: 4 });
    expect(r.hosts[0].error).toMatchObject({ code: 'dns-error', message: expect.stringContaining('ESERVFAIL') });
  });

  test('one MX host shared by many domains is looked up once per run', async () => {
    const resolver = createResolver({ servers: [dns.server] });
    const results = await Promise.all(['d1.test', 'd2.test', 'd1.test'].map(d => resolveDestination(parseDestination(d), { resolver })));
    expect(results.map(r => r.hosts[0].addresses)).toEqual([v4('127.0.0.70'), v4('127.0.0.70'), v4('127.0.0.70')]);
    expect(asked('shared.mx.test').sort()).toEqual(['A', 'AAAA']);
    expect(asked('d1.test')).toEqual(['MX']);
  });

  test('destination case and trailing dot do not matter', async () => {
    const r = await resolve('TWO.Test.');
    expect(r.nexthop).toBe('two.test');
    expect(r.hosts.map(h => h.host)).toEqual(['mx1.two.test', 'mx2.two.test']);
  });
});

describe('hosts and literals', () => {
  test('[host]: its own addresses, IPv4 first, no MX lookup', async () => {
    const r = await resolve('[host.test]:587');
    expect(r.nexthop).toBe('host.test');
    expect(r.hosts).toEqual([{ host: 'host.test', mx: null, addresses: [...v4('127.0.0.60', '127.0.0.61'), ...v6('::1')], error: null }]);
    expect(asked('host.test')).not.toContain('MX');
  });

  test.each([
    ['[localhost]:2525', undefined, [...v4('127.0.0.1'), ...v6('::1')]],
    ['localhost', undefined, [...v4('127.0.0.1'), ...v6('::1')]],
    ['[mx.localhost]', 4, v4('127.0.0.1')],
    ['smtp://localhost', 6, v6('::1')],
  ] as const)('%s (-%s): the loopback addresses, no DNS (RFC 6761 §6.3)', async (input, family, addresses) => {
    const before = dns.queries.length;
    const r = await resolve(input, { family });
    expect(r.hosts).toEqual([{ host: parseDestination(input).host, mx: null, addresses, error: null }]);
    expect(dns.queries.length).toBe(before);
  });

  test('-4 asks only A, -6 only AAAA', async () => {
    const before = dns.queries.length;
    expect((await resolve('smtp://host.test', { family: 4 })).hosts[0].addresses).toEqual(v4('127.0.0.60', '127.0.0.61'));
    expect(dns.queries.slice(before).map(q => q.type)).toEqual(['A']);
    const middle = dns.queries.length;
    expect((await resolve('smtp://host.test', { family: 6 })).hosts[0].addresses).toEqual(v6('::1'));
    expect(dns.queries.slice(middle).map(q => q.type)).toEqual(['AAAA']);
  });

  test('-4 for a host with only AAAA: dns-no-address', async () => {
    const r = await resolve('[v6only.test]', { family: 4 });
    expect(r.hosts[0].error).toMatchObject({ code: 'dns-no-address', message: 'v6only.test has no A record' });
  });

  test('-4 / -6 apply to MX hosts too', async () => {
    const r = await resolve('two.test', { family: 6 });
    expect(r.hosts.map(h => [h.host, h.addresses, h.error?.code ?? null])).toEqual([
      ['mx1.two.test', v6('::1'), null],
      ['mx2.two.test', [], 'dns-no-address'],
    ]);
  });

  test('[host] that does not exist: dns-nxdomain', async () => {
    const r = await resolve('[nothing.test]');
    expect(r.hosts[0].error).toMatchObject({ code: 'dns-nxdomain', message: 'nothing.test does not exist (NXDOMAIN)' });
  });

  test('IP literals: no DNS query at all', async () => {
    const before = dns.queries.length;
    expect((await resolve('192.0.2.1')).hosts).toEqual([{ host: '192.0.2.1', mx: null, addresses: v4('192.0.2.1'), error: null }]);
    expect((await resolve('[2001:db8::1]:25')).hosts[0].addresses).toEqual(v6('2001:db8::1'));
    expect((await resolve('[2001:db8::1]', { family: 4 })).hosts[0].error).toMatchObject({ code: 'dns-no-address' });
    expect(dns.queries.length).toBe(before);
  });

  test('answers truncated over UDP are fetched over TCP', async () => {
    const r = await resolve('[big.test]', { family: 4 });
    expect(r.hosts[0].addresses).toEqual(v4('127.0.0.80'));
    expect(dns.queries.filter(q => q.name === 'big.test').map(q => q.transport)).toEqual(['udp', 'tcp']);
  });
});

describe('DNS failures are data, in bounded time', () => {
  test('SERVFAIL → dns-error naming the DNS error', async () => {
    const r = await resolve('servfail.test');
    expect(r.error).toEqual({ phase: 'resolve', code: 'dns-error', message: 'DNS lookup of MX servfail.test failed (ESERVFAIL)' });
  });

  test('REFUSED → dns-error', async () => {
    expect((await resolve('refused.test')).error).toMatchObject({ code: 'dns-error', message: expect.stringContaining('EREFUSED') });
  });

  test('silent server → timeout within the budget', async () => {
    const started = Date.now();
    const resolver = createResolver({ servers: [dns.server], timeoutMs: 400 });
    const r = await resolveDestination(parseDestination('silent.test'), { resolver });
    expect(r.error).toMatchObject({ phase: 'resolve', code: 'timeout', message: expect.stringContaining('ETIMEOUT') });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.timingMs).toBeGreaterThanOrEqual(300);
  });

  test('silent server for an address lookup → timeout on that host', async () => {
    const resolver = createResolver({ servers: [dns.server], timeoutMs: 300 });
    const r = await resolveDestination(parseDestination('[silent.test]'), { resolver });
    expect(r.hosts[0].error).toMatchObject({ code: 'timeout' });
  });

  test('nothing listening on the resolver port → dns-error', async () => {
    const closed = await startDnsServer({});
    await closed.close();
    const resolver = createResolver({ servers: [closed.server], timeoutMs: 600 });
    const r = await resolveDestination(parseDestination('two.test'), { resolver });
    expect(r.error?.code).toMatch(/^(dns-error|timeout)$/);
    expect(r.hosts).toEqual([]);
  });

  test('abort signal → aborted, promptly', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const r = await resolve('silent.test', { signal: controller.signal });
    expect(r.error).toMatchObject({ code: 'aborted' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('sortByPreference', () => {
  const hosts = [{ h: 'c', preference: 20 }, { h: 'a', preference: 10 }, { h: 'b', preference: 10 }];
  test('ascending', () => expect(sortByPreference(hosts).map(x => x.preference)).toEqual([10, 10, 20]));
  test('ties follow the shuffle', () => {
    const orders = new Set([0, 0.3, 0.6, 0.99].map(n => sortByPreference(hosts, () => n).map(x => x.h).join('')));
    expect(orders).toEqual(new Set(['abc', 'bac']));
  });
  test('input untouched', () => { sortByPreference(hosts); expect(hosts[0].h).toBe('c'); });
});

describe('--resolver', () => {
  const ok = (input: string, out: string) => () => expect(parseResolverAddress(input)).toBe(out);
  const bad = (input: string) => () => expect(() => parseResolverAddress(input)).toThrow(UsageError);
  test('ipv4', ok('127.0.0.1', '127.0.0.1'));
  test('ipv4:port', ok('127.0.0.1:5353', '127.0.0.1:5353'));
  test('ipv6', ok('::1', '::1'));
  test('[ipv6]', ok('[::1]', '[::1]'));
  test('[ipv6]:port', ok('[::1]:5353', '[::1]:5353'));
  test('leading zero port', ok('127.0.0.1:053', '127.0.0.1:53'));
  test('name', bad('dns.example'));
  test('empty', bad(''));
  test('port 0', bad('127.0.0.1:0'));
  test('port 99999', bad('[::1]:99999'));
  test('non-numeric port', bad('127.0.0.1:dns'));
  test('unclosed', bad('[::1:53'));
  test('bad ipv4', bad('127.0.0.256'));
  test('ipv4 in brackets', bad('[127.0.0.1]:53'));
  test('createResolver validates', () => expect(() => createResolver({ servers: ['nope'] })).toThrow(UsageError));
});

describe('DNS fixture', () => {
  const ask = (name: string, type: 'TXT' | 'A') => new Promise<dnsPacket.DecodedPacket>((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.on('error', reject);
    socket.on('message', msg => { socket.close(); resolve(dnsPacket.decode(msg)); });
    socket.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }), dns.port, '127.0.0.1');
  });
  test('TXT with the AD bit for a name marked ad', async () => {
    const reply = await ask('Signed.Test.', 'TXT');
    expect(reply).toMatchObject({ id: 7, flag_ad: true, flag_aa: true, flag_rd: true, rcode: 'NOERROR' });
    expect(reply.answers).toEqual([expect.objectContaining({ type: 'TXT', name: 'Signed.Test', data: [Buffer.from('v=STSv1; id=1')] })]);
  });
  test('no AD bit otherwise; NXDOMAIN for names outside the zone', async () => {
    expect(await ask('host.test', 'A')).toMatchObject({ flag_ad: false, rcode: 'NOERROR' });
    expect(await ask('absent.test', 'A')).toMatchObject({ rcode: 'NXDOMAIN', answers: [] });
  });
});
