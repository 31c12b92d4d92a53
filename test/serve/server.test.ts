// The exporter as a library: real probes of fixture servers through HTTP, the 400s, the scrape
// timeout, the shared per-address cap, modules from JSON and YAML, /metrics; every response
// that carries metrics passes `promtool check metrics`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import type { SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { startExporter, probeBudgetMs, type Exporter } from '../../src/serve/server.js';
import { loadModules, modulesFrom, type ExporterModule } from '../../src/serve/modules.js';
import { UsageError } from '../../src/errors.js';
import { dest, options, useFixtures } from '../probe/helpers.js';
import { checkMetrics } from './promtool.js';
import { Counter, useRunFixtures } from '../run/helpers.js';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { freePort } from '../../fixtures/prometheus.js';

const fx = useFixtures();
const runFx = useRunFixtures();
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-serve-'));
let pki: Pki;
let good: SmtpFixture;
let expired: SmtpFixture;
let exporter: Exporter;
const exporters: Exporter[] = [];

async function get(path: string, headers: Record<string, string> = {}, on = exporter) {
  const started = Date.now();
  const res = await fetch(`${on.url}${path}`, { headers, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text(), ms: Date.now() - started };
}

/** The value of the first sample of `name` whose line contains every `parts`. */
function value(body: string, name: string, ...parts: string[]): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(name) && /[{ ]/.test(l[name.length]) && parts.every((p) => l.includes(p)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const probePath = (target: string, module?: string) => `/probe?target=${encodeURIComponent(target)}${module ? `&module=${encodeURIComponent(module)}` : ''}`;

beforeAll(async () => {
  pki = await fx.pki();
  [good, expired] = await Promise.all([fx.smtp({ leaf: pki.leaves.good }), fx.smtp({ leaf: pki.leaves.expired })]);
  const modulesFile = join(dir, 'modules.yaml');
  writeFileSync(join(dir, 'root.pem'), pki.root.pem);
  writeFileSync(modulesFile, [
    'modules:',
    '  encrypt:',
    '    level: encrypt',
    '  relative-ca:',
    '    ca-file: root.pem   # relative to this file',
    '    connect-timeout: 2s',
    '',
  ].join('\n'));
  const base: ExporterModule = { name: 'default', options: options(pki) };
  exporter = await startExporter({ port: 0, defaultOptions: options(pki), modules: await loadModules(modulesFile, base), perHost: 1 });
  exporters.push(exporter);
});

afterAll(async () => {
  await Promise.all(exporters.map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /probe', () => {
  it('a good server: 200, success 1, the leaf expiry as served, promtool accepts it', async () => {
    const r = await get(probePath(dest(good.port)));
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(value(r.body, 'mxprobe_success')).toBe(1);
    expect(value(r.body, 'mxprobe_status')).toBe(0);
    expect(value(r.body, 'mxprobe_cert_not_after_timestamp_seconds', 'position="0"')).toBe(pki.leaves.good.notAfter.getTime() / 1000);
    expect(value(r.body, 'mxprobe_probe_results')).toBe(1);
    expect(value(r.body, 'mxprobe_probe_duration_seconds')).toBeGreaterThan(0);
    const check = await checkMetrics(r.body);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  });

  it('an expired certificate: success 0, status 2, not trusted', async () => {
    const r = await get(probePath(dest(expired.port)));
    expect(r.status).toBe(200);
    expect(value(r.body, 'mxprobe_success')).toBe(0);
    expect(value(r.body, 'mxprobe_status')).toBe(2);
    expect(value(r.body, 'mxprobe_cert_trusted')).toBe(0);
    expect((await checkMetrics(r.body)).code).toBe(0);
  });

  it('module encrypt from the YAML file: the expired certificate passes, as --level encrypt', async () => {
    const r = await get(probePath(dest(expired.port), 'encrypt'));
    expect(value(r.body, 'mxprobe_success')).toBe(1);
  });

  it('a module with a ca-file relative to the modules file trusts the test root', async () => {
    const r = await get(probePath(dest(good.port), 'relative-ca'));
    expect(value(r.body, 'mxprobe_cert_trusted')).toBe(1);
  });

  it.each([
    ['/probe', 400, /^target parameter is missing/],
    [probePath(dest(1), 'nope'), 400, /^unknown module 'nope' \(known: default, encrypt, relative-ca\)$/],
    [probePath('[::1'), 400, /^target '\[::1': /],
    [probePath('smtp://'), 400, /^target 'smtp:\/\/': /],
    [probePath('x'.repeat(2000)), 400, /^target is longer than 1024 characters$/],
    [probePath('bad\x1b[31m\nname'), 400, /^target 'bad\?\[31m\?name': /],
    ['/nothing', 404, /^not found/],
  ])('%s → %d with one line', async (path, status, message) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    expect(r.body.endsWith('\n')).toBe(true);
    expect(r.body.trimEnd().split('\n')).toHaveLength(1);
    expect(r.body.trimEnd()).toMatch(message);
  });

  it('POST is 405, and the exporter still answers afterwards', async () => {
    const res = await fetch(`${exporter.url}/probe`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect((await get('/metrics')).status).toBe(200);
  });

  it('the scrape timeout header bounds the probe: a silent server gives success 0 in time', async () => {
    const silent = await fx.raw(async (io) => {
      await io.waitClose();
    });
    const r = await get(probePath(dest(silent.port)), { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' });
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(1500);
    expect(r.ms).toBeGreaterThanOrEqual(900);
    expect(value(r.body, 'mxprobe_success')).toBe(0);
    expect(r.body).toMatch(/mxprobe_error_info\{.*phase="banner",code="(timeout|aborted)"\} 1/);
    expect((await checkMetrics(r.body)).code).toBe(0);
  });

  it('the per-address cap holds across concurrent scrapes (perHost 1), and other addresses are not held up', async () => {
    const one = new Counter();
    const other = new Counter();
    const a = await runFx.slow('127.0.0.1', one, 150);
    const b = await runFx.slow('127.0.0.2', other, 150);
    const rs = await Promise.all([
      ...Array.from({ length: 4 }, () => get(probePath(dest(a.port)))),
      ...Array.from({ length: 2 }, () => get(probePath(`[127.0.0.2]:${b.port}`))),
    ]);
    expect(rs.every((r) => r.status === 200 && /mxprobe_error_info\{.*code="starttls-not-offered"\} 1/.test(r.body))).toBe(true);
    expect(one.total).toBe(4);
    expect(one.max).toBe(1);
    expect(other.total).toBe(2);
    expect(other.max).toBe(1);
    // 4 × 150 ms one after another for the first address; the second ran beside them.
    expect(Math.max(...rs.map((r) => r.ms))).toBeGreaterThanOrEqual(600);
  });
});

describe('GET /probe of a domain', () => {
  let dns: DnsFixture;
  let domainExporter: Exporter;
  beforeAll(async () => {
    const port = await freePort();
    await fx.smtp({ leaf: pki.leaves.good, host: '127.0.0.1', port });
    await fx.smtp({ leaf: pki.leaves.expired, host: '127.0.0.2', port });
    dns = await startDnsServer({
      'two.example': { MX: [{ preference: 10, exchange: 'mx.test.example' }, { preference: 20, exchange: 'mx2.test.example' }] },
      'mx.test.example': { A: ['127.0.0.1'] },
      'mx2.test.example': { A: ['127.0.0.2'] },
      'nomail.example': { MX: [{ preference: 0, exchange: '.' }] },
    });
    const base: ExporterModule = { name: 'default', options: { ...options(pki), servername: undefined } };
    domainExporter = await startExporter({ port: 0, modules: modulesFrom({ modules: { mx: { port, resolver: [dns.server] } } }, 'inline', base) });
    exporters.push(domainExporter);
  });
  afterAll(async () => {
    await dns?.close();
  });

  it('one set of series per MX host, each with its host and address', async () => {
    const r = await get(probePath('two.example', 'mx'), {}, domainExporter);
    expect(r.status).toBe(200);
    expect(value(r.body, 'mxprobe_probe_results')).toBe(2);
    expect(value(r.body, 'mxprobe_success', 'host="mx.test.example"', 'address="127.0.0.1"')).toBe(1);
    expect(value(r.body, 'mxprobe_success', 'host="mx2.test.example"', 'address="127.0.0.2"')).toBe(0);
    expect(value(r.body, 'mxprobe_cert_not_after_timestamp_seconds', 'host="mx2.test.example"', 'position="0"')).toBe(pki.leaves.expired.notAfter.getTime() / 1000);
    expect(r.body).toMatch(/^mxprobe_success\{destination="two\.example",/m);
    expect((await checkMetrics(r.body)).code).toBe(0);
  });

  it('a null MX: success 0 with the error code, not a failed scrape', async () => {
    const r = await get(probePath('nomail.example', 'mx'), {}, domainExporter);
    expect(r.status).toBe(200);
    expect(value(r.body, 'mxprobe_success')).toBe(0);
    expect(r.body).toMatch(/mxprobe_error_info\{.*phase="resolve",code="null-mx"\} 1/);
    expect((await checkMetrics(r.body)).code).toBe(0);
  });
});

describe('GET /metrics', () => {
  it("the exporter's own metrics count scrapes by module and outcome, and promtool accepts them", async () => {
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(value(r.body, 'mxprobe_exporter_scrapes_total', 'module="default"', 'outcome="probed"')).toBeGreaterThanOrEqual(3);
    expect(value(r.body, 'mxprobe_exporter_scrapes_total', 'module="unknown"', 'outcome="bad-request"')).toBe(1);
    expect(value(r.body, 'mxprobe_exporter_scrape_duration_seconds_count', 'module="encrypt"')).toBe(1);
    expect(value(r.body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    const check = await checkMetrics(r.body);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  });
});

describe('startExporter', () => {
  it('listens on 127.0.0.1 by default', async () => {
    const e = await startExporter({ port: 0 });
    exporters.push(e);
    expect(e.host).toBe('127.0.0.1');
    expect(e.url).toBe(`http://127.0.0.1:${e.port}`);
  });

  it('a port in use is a UsageError', async () => {
    await expect(startExporter({ port: exporter.port })).rejects.toThrow(UsageError);
    await expect(startExporter({ port: exporter.port })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
  });

  it('close() ends a probe that is still running', async () => {
    const silent = await fx.raw(async (io) => {
      await io.waitClose();
    });
    const e = await startExporter({ port: 0, defaultOptions: options(pki) });
    const pending = fetch(`${e.url}${probePath(dest(silent.port))}`).then(() => 'answered', () => 'closed');
    await new Promise((r) => setTimeout(r, 200));
    const t = Date.now();
    await e.close();
    expect(Date.now() - t).toBeLessThan(1000);
    expect(await pending).toBe('closed');
  });
});

describe('probeBudgetMs', () => {
  it.each<[string | undefined, number]>([
    [undefined, 60_000],
    ['10', 9_500],
    ['0.4', 360],
    ['junk', 60_000],
    ['-1', 60_000],
    ['1000', 60_000],
  ])('header %s → %d ms', (header, ms) => {
    expect(probeBudgetMs(header, 500, 60_000)).toBeCloseTo(ms);
  });
});

describe('modules files', () => {
  const base: ExporterModule = { name: 'default', options: { level: 'verify' } };
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('JSON: keys as long flags or camelCase, booleans for flags, lists for repeatable flags', async () => {
    const file = write('m.json', JSON.stringify({ modules: { sub: { port: 587, level: 'secure', match: ['nexthop', 'dot-nexthop'], mtaSts: true, 'no-pipelining': true, ipv4: true, timeout: '5s' } } }));
    const m = (await loadModules(file, base)).get('sub')!;
    expect(m.port).toBe(587);
    expect(m.options).toMatchObject({ level: 'secure', match: ['nexthop', 'dot-nexthop'], mtaSts: true, pipelining: false, family: 4, timeoutMs: 5000 });
  });

  it('a module starts from the command line options and overrides them', () => {
    const m = modulesFrom({ modules: { a: { level: 'may' } } }, 'f.json', { name: 'default', options: { level: 'verify', warnDays: 30 }, port: 2525 }).get('a')!;
    expect(m.options).toMatchObject({ level: 'may', warnDays: 30 });
    expect(m.port).toBe(2525);
  });

  it.each<[string, unknown, RegExp]>([
    ['unknown key', { modules: { a: { 'ca-flie': 'x' } } }, /^f\.json: module 'a': unknown option 'ca-flie'/],
    ['bad value', { modules: { a: { level: 'strict' } } }, /^f\.json: module 'a': --level: 'strict' is not one of/],
    ['flag not boolean', { modules: { a: { 'mta-sts': 'yes' } } }, /^f\.json: module 'a': mta-sts is true or false/],
    ['options that conflict', { modules: { a: { starttls: true, implicit: true } } }, /^f\.json: module 'a': --starttls and --implicit exclude each other/],
    ['missing file', { modules: { a: { 'ca-file': 'nope.pem' } } }, /^f\.json: module 'a': --ca-file: cannot read .*nope\.pem: ENOENT/],
    ['default redefined', { modules: { default: {} } }, /^f\.json: module 'default': the name is taken/],
    ['no modules key', { mods: {} }, /^f\.json: unknown top-level key 'mods'/],
    ['modules a list', { modules: [] }, /^f\.json: 'modules' must map/],
    ['not a mapping', [1], /^f\.json: expected a mapping/],
  ])('%s → UsageError naming file, module and key', (_, doc, message) => {
    expect(() => modulesFrom(doc, 'f.json', base)).toThrow(UsageError);
    expect(() => modulesFrom(doc, 'f.json', base)).toThrow(message);
  });

  it('invalid YAML and invalid JSON are one-line UsageErrors', async () => {
    await expect(loadModules(write('bad.yaml', 'modules:\n  a: [unclosed\n'), base)).rejects.toThrow(/bad\.yaml: not valid YAML: /);
    await expect(loadModules(write('bad.json', '{"modules": '), base)).rejects.toThrow(/bad\.json: not valid JSON: /);
    await expect(loadModules(join(dir, 'absent.yaml'), base)).rejects.toThrow(/--modules .*absent\.yaml: cannot read: ENOENT/);
  });

  it('YAML aliases are bounded (no "billion laughs")', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`), 'modules: {}'].join('\n');
    await expect(loadModules(write('bomb.yaml', bomb), base)).rejects.toThrow(UsageError);
  });
});
