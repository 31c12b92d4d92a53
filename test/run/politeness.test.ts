// Politeness you can state: the default pace (2 new connections per second per address) never
// trips a server that allows 2 a second; a faster pace does, and the results then say
// `rate-limited`, never a TLS or STARTTLS failure; retried, the address is slowed down until the
// server lets every probe through. In the engine, jobs waiting for a slowed address do not
// hold up the rest of the list. --source-address binds each connection, in turn.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../fixtures/temp.js';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { ConnectionBucket, rateLimitedScript, type Refusal } from '../../fixtures/rate-limit.js';
import { smtpDialog } from '../../fixtures/faulty-servers.js';
import { builtCli, runCli, type Cli } from '../cli/helpers.js';
import { run, useRunFixtures } from './helpers.js';
import type { ProbeResult } from '../../src/types.js';

const fx = useRunFixtures();
let cli: Cli;
let pki: Pki;
let tmp: string;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  tmp = tempDir('mxprobe-polite-');
});
afterAll(() => {
  cli?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const SHORT = ['--timeout', '5s', '--banner-timeout', '5s', '--connect-timeout', '3s', '--tls-timeout', '3s', '--no-progress'];
const tlsOptions = () => ({ key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem });
const trust = () => ['--ca-file', pki.root.certPath, '--servername', TEST_HOST, '--level', 'verify'];

/** `ports` servers on one address sharing one bucket of 2 connections a second; the list of them. */
async function limitedAddress(address: string, ports: number, refusal: Refusal = '421'): Promise<{ bucket: ConnectionBucket; file: string }> {
  const bucket = new ConnectionBucket(2, 2);
  const targets: string[] = [];
  for (let i = 0; i < ports; i++) {
    const s = await fx.raw(rateLimitedScript(bucket, { tls: tlsOptions() }, refusal), address);
    targets.push(`[${address}]:${s.port}`);
  }
  const file = join(tmp, `${address}-${refusal}.txt`);
  writeFileSync(file, `${targets.join('\n')}\n`);
  return { bucket, file };
}

const parse = (stdout: string): ProbeResult[] => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeResult);
const TLS_CODES = ['tls-handshake', 'starttls-refused', 'starttls-not-offered', 'no-starttls'];

describe('a server that allows 2 new connections a second per address', () => {
  it('the default pace gets every probe through, none rate-limited', async () => {
    const { bucket, file } = await limitedAddress('127.0.0.31', 6);
    const started = Date.now();
    const r = await runCli(cli.bin, [...SHORT, ...trust(), '--ndjson', '-c', '10', '-f', file]);
    const results = parse(r.stdout);
    expect(results).toHaveLength(6);
    expect(results.map((x) => x.status)).toEqual(Array(6).fill('ok'));
    expect(bucket.refused).toBe(0);
    expect(bucket.admitted).toBe(6);
    // Six connections 500 ms apart: the pace, not the servers, set the time.
    expect(Date.now() - started).toBeGreaterThan(2400);
    expect(r.code).toBe(0);
  });

  it('raised to 50/s: turned away, each UNKNOWN `rate-limited` at the greeting, never a TLS failure', async () => {
    const { bucket, file } = await limitedAddress('127.0.0.32', 10);
    const r = await runCli(cli.bin, [...SHORT, ...trust(), '--ndjson', '-c', '10', '--per-host', '10', '--per-host-rate', '50/s', '--retries', '0', '-f', file]);
    const results = parse(r.stdout);
    expect(results).toHaveLength(10);
    // The first refusal slows the address down (a gap of 1 s, then the server's 2/s lets all
    // through): the ones already started when it came are turned away, each said so.
    const limited = results.filter((x) => x.error?.code === 'rate-limited');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(bucket.refused).toBe(limited.length);
    for (const x of limited) {
      expect(x).toMatchObject({ status: 'unknown', error: { phase: 'banner', code: 'rate-limited', reply: { code: 421 } } });
      expect(x.smtp.starttls.offered).toBe(false);
    }
    for (const x of results) expect(TLS_CODES).not.toContain(x.error?.code);
    expect(r.stderr).toMatch(/errors: \d+ rate-limited/);
    expect(r.stderr).toMatch(/turned away by rate limits/);
    expect(r.code).toBe(3);
  });

  it('raised, with retries: the address is slowed down until every probe gets through', async () => {
    const { bucket, file } = await limitedAddress('127.0.0.33', 8);
    const r = await runCli(cli.bin, [...SHORT, ...trust(), '--ndjson', '-c', '8', '--per-host', '8', '--per-host-rate', '50/s', '--retries', '6', '--retry-delay', '100ms', '-f', file]);
    const results = parse(r.stdout);
    expect(results.map((x) => x.status)).toEqual(Array(8).fill('ok'));
    expect(bucket.refused).toBeGreaterThan(0);
    expect(results.some((x) => (x.attempts ?? 1) > 1 && x.findings.some((f) => f.code === 'retried' && /rate-limited/.test(f.message)))).toBe(true);
    expect(r.stderr).toMatch(/1 address slowed down/);
    expect(r.code).toBe(0);
  }, 30_000);

  it('a reset before the greeting, after greeted connections to that port, is rate-limited too', async () => {
    // Evidence is per address and port (a refusal on another port may be a closed port):
    // six host names on one address and port, each its own connection.
    const bucket = new ConnectionBucket(2, 2);
    const s = await fx.raw(rateLimitedScript(bucket, { tls: tlsOptions() }, 'reset'), '127.0.0.34');
    const zone: Record<string, { A: string[] }> = {};
    for (let i = 0; i < 6; i++) zone[`h${i}.reset.test`] = { A: ['127.0.0.34'] };
    const dns = await fx.dns(zone);
    const file = join(tmp, 'reset.txt');
    writeFileSync(file, Object.keys(zone).map((h) => `[${h}]:${s.port}`).join('\n'));
    const r = await runCli(cli.bin, [...SHORT, ...trust(), '--ndjson', '--resolver', dns.server, '--per-host', '1', '--per-host-rate', '50/s', '--retries', '0', '-f', file]);
    const results = parse(r.stdout);
    expect(results).toHaveLength(6);
    const limited = results.filter((x) => x.error?.code === 'rate-limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.length).toBe(bucket.refused);
    for (const x of limited) expect(x.error?.message).toMatch(/^rate-limited: connection (reset|closed)/);
    for (const x of results) expect(TLS_CODES).not.toContain(x.error?.code);
  });
});

describe('the engine while an address is slowed', () => {
  it('jobs waiting for one address leave room for the others, whatever the window', async () => {
    const slowAddr = await Promise.all(Array.from({ length: 8 }, () => fx.raw((io) => smtpDialog(io, { starttls: 'none' }), '127.0.0.35')));
    const others = await Promise.all(Array.from({ length: 16 }, (_, i) => fx.raw((io) => smtpDialog(io, { starttls: 'none' }), `127.0.1.${40 + i}`)));
    // The 8 on one address come first in the list; with a window of 4 and 4 connections a
    // second to that address, the rest of the list must not wait the 1.75 s its pace takes.
    const inputs = [...slowAddr.map((s) => `[127.0.0.35]:${s.port}`), ...others.map((s, i) => `[127.0.1.${40 + i}]:${s.port}`)];
    const done = new Map<string, number>();
    const t0 = performance.now();
    const { results } = await run(inputs, { level: 'may', ehlo: 'client.test.example' }, {
      concurrency: 8, perHost: 8, perHostRate: 4, window: 4, retries: 0,
      onResult: (r) => done.set(`${r.address}:${r.port}`, performance.now() - t0),
    });
    expect(results).toHaveLength(24);
    const lastOther = Math.max(...others.map((s, i) => done.get(`127.0.1.${40 + i}:${s.port}`)!));
    const lastSlow = Math.max(...slowAddr.map((s) => done.get(`127.0.0.35:${s.port}`)!));
    expect(lastSlow).toBeGreaterThan(1700);
    expect(lastOther).toBeLessThan(1000);
  });
});

describe('--source-address', () => {
  it('binds each connection to the pool in turn; each result names its source', async () => {
    const seen: string[] = [];
    const s = await fx.raw(async (io) => {
      seen.push(io.raw.remoteAddress!);
      await smtpDialog(io, { starttls: 'none' });
    });
    const file = join(tmp, 'sources.txt');
    // Four destinations naming one connection each (distinct host names are not needed: the ports differ).
    const more = await Promise.all([1, 2, 3].map(() => fx.raw(async (io) => {
      seen.push(io.raw.remoteAddress!);
      await smtpDialog(io, { starttls: 'none' });
    })));
    writeFileSync(file, [s, ...more].map((x) => `[127.0.0.1]:${x.port}`).join('\n'));
    const r = await runCli(cli.bin, [...SHORT, '--level', 'may', '--ndjson', '--per-host', '1', '--per-host-rate', 'unlimited', '--source-address', '127.0.0.2', '--source-address', '127.0.0.3', '-f', file]);
    const results = parse(r.stdout);
    expect(results).toHaveLength(4);
    expect(seen.sort()).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3']);
    expect(results.map((x) => x.sourceAddress).sort()).toEqual(['127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3']);
    expect(r.code).toBe(1); // level may without STARTTLS: WARNING
  });

  it('an address this host does not have is a usage error before any connection', async () => {
    const s = await fx.raw((io) => smtpDialog(io, { starttls: 'none' }));
    const r = await runCli(cli.bin, [...SHORT, '--source-address', '192.0.2.1', `[127.0.0.1]:${s.port}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mxprobe: --source-address 192\.0\.2\.1: cannot send from it \(not an address of this host\)$/m);
    expect(s.connections).toBe(0);
    const bad = await runCli(cli.bin, ['--source-address', 'example.com', `[127.0.0.1]:${s.port}`]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/--source-address: expected an IP address/);
  });
});

describe('policy paces and binds as the probe does (one run engine, one option reader)', () => {
  const policyFile = (name: string, targets: string[], level: string) => {
    const file = join(tmp, name);
    writeFileSync(file, targets.map((t) => `${t} ${level}${level === 'may' ? '' : ` match=${TEST_HOST}`}`).join('\n') + '\n');
    return file;
  };
  const verdicts = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { status: string; results: ProbeResult[] });
  const policyTrust = () => ['--ca-file', pki.root.certPath];

  it('the default pace: every entry delivers; raised with no retries: rate-limited, never a TLS failure', async () => {
    const polite = await limitedAddress('127.0.0.36', 6);
    const politeList = readFileSync(polite.file, 'utf8').trim().split('\n');
    const r = await runCli(cli.bin, ['policy', ...SHORT, ...policyTrust(), '--ndjson', '-c', '10', policyFile('polite.cf', politeList, 'verify')]);
    expect(r.code, r.stderr).toBe(0);
    expect(verdicts(r.stdout).map((v) => v.status)).toEqual(Array(6).fill('ok'));
    expect(polite.bucket.refused).toBe(0);

    const fast = await limitedAddress('127.0.0.37', 10);
    const fastList = readFileSync(fast.file, 'utf8').trim().split('\n');
    const f = await runCli(cli.bin, ['policy', ...SHORT, ...policyTrust(), '--ndjson', '-c', '10', '--per-host', '10', '--per-host-rate', '50/s', '--retries', '0', policyFile('fast.cf', fastList, 'verify')]);
    const results = verdicts(f.stdout).flatMap((v) => v.results);
    const limited = results.filter((x) => x.error?.code === 'rate-limited');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBe(fast.bucket.refused);
    for (const x of results) expect(TLS_CODES).not.toContain(x.error?.code);
    // Never greener than the truth: a turned-away entry is not "would deliver".
    expect(verdicts(f.stdout).filter((v) => v.status === 'ok')).toHaveLength(10 - limited.length);
  }, 30_000);

  it('--source-address binds policy connections too', async () => {
    const seen: string[] = [];
    const servers = await Promise.all([1, 2].map(() => fx.raw(async (io) => {
      seen.push(io.raw.remoteAddress!);
      await smtpDialog(io, { starttls: 'none' });
    })));
    const file = policyFile('sources.cf', servers.map((s) => `[127.0.0.1]:${s.port}`), 'may');
    const r = await runCli(cli.bin, ['policy', ...SHORT, '--ndjson', '--per-host-rate', 'unlimited', '--source-address', '127.0.0.4', file]);
    expect(verdicts(r.stdout), r.stdout + r.stderr).toHaveLength(2);
    expect(seen, r.stdout + r.stderr).toEqual(['127.0.0.4', '127.0.0.4']);
  });
});
