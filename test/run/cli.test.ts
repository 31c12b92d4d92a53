// The built CLI over many targets: Ctrl-C in the middle of an NDJSON stream, bad list lines,
// the Nagios line for many probes, and --baseline / --fail-on-change end to end.
import { spawn } from 'node:child_process';
import { tempDir } from '../../fixtures/temp.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { builtCli, runCli, ROOT, type Cli } from '../cli/helpers.js';
import { Counter, useRunFixtures } from './helpers.js';

const fx = useRunFixtures();
let cli: Cli;
let pki: Pki;
let tmp: string;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  tmp = tempDir('mxprobe-run-cli-');
});
afterAll(() => {
  cli?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const SHORT = ['--timeout', '5s', '--banner-timeout', '20s', '--connect-timeout', '3s', '--tls-timeout', '3s', '--no-progress'];
const trust = () => ['--ca-file', pki.root.path, '--servername', TEST_HOST];

/** `count` host names on one address (each its own connection), and the list file naming them. */
async function hostList(name: string, count: number, address: string, port: number): Promise<{ file: string; resolver: string }> {
  const zone: Record<string, { A: string[] }> = {};
  for (let i = 0; i < count; i++) zone[`h${i}.${name}.test`] = { A: [address] };
  const dns = await fx.dns(zone);
  const file = join(tmp, `${name}.txt`);
  writeFileSync(file, Object.keys(zone).map((h) => `[${h}]:${port}`).join('\n'));
  return { file, resolver: dns.server };
}

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
  linesAtSignal: number;
  ms: number;
}

/** Spawns the CLI, sends `signals` SIGINTs once `afterLines` NDJSON lines (or `afterMs`) have arrived. */
function interrupt(args: string[], o: { afterLines?: number; afterMs?: number; signals: number }): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli.bin, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let linesAtSignal = -1;
    const fire = () => {
      if (linesAtSignal >= 0) return;
      linesAtSignal = stdout.split('\n').length - 1;
      for (let i = 0; i < o.signals; i++) setTimeout(() => child.kill('SIGINT'), i * 100);
    };
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      if (o.afterLines !== undefined && stdout.split('\n').length - 1 >= o.afterLines) fire();
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    if (o.afterMs !== undefined) setTimeout(fire, o.afterMs);
    const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, linesAtSignal, ms: Date.now() - started });
    });
  });
}

describe('Ctrl-C during an NDJSON run', () => {
  it('stops new probes, lets the running ones finish: every line is whole JSON, exit 3', async () => {
    const c = new Counter();
    const slow = await fx.slow('127.0.0.6', c, 300);
    const { file, resolver } = await hostList('sigint', 40, '127.0.0.6', slow.port);
    const r = await interrupt([...SHORT, '--level', 'may', '--ndjson', '-c', '4', '--per-host', '4', '--per-host-rate', 'unlimited', '--resolver', resolver, '-f', file], { afterLines: 5, signals: 1 });
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    for (const l of lines) expect(() => JSON.parse(l), l).not.toThrow();
    // Every destination of the list has its line: probed ones, then the ones never started.
    expect(lines).toHaveLength(40);
    const probed = lines.map((l) => JSON.parse(l)).filter((x) => x.error?.code !== 'not-probed');
    const notProbed = lines.map((l) => JSON.parse(l)).filter((x) => x.error?.code === 'not-probed');
    expect(probed.length).toBeGreaterThanOrEqual(5);
    expect(notProbed.length).toBeGreaterThan(0);
    // The running ones finished normally (none aborted), and nothing new started after the signal.
    expect(probed.every((x) => x.error === null)).toBe(true);
    for (const x of notProbed) expect(x).toMatchObject({ status: 'unknown', error: { phase: 'resolve', code: 'not-probed' } });
    expect(c.total).toBe(probed.length);
    expect(r.stderr).toMatch(/stopping: starting nothing new; waiting for \d+ running probes? to finish \(Ctrl-C again to stop them now\)/);
    expect(r.stderr).toMatch(new RegExp(`interrupted: ${notProbed.length} destinations not probed: `));
    expect(r.code).toBe(3);
  });

  it('a second Ctrl-C aborts the running probes, each still a whole line', async () => {
    const silent = await fx.raw(async (io) => io.waitClose(), '127.0.0.7');
    const { file, resolver } = await hostList('abort', 10, '127.0.0.7', silent.port);
    const r = await interrupt([...SHORT, '--ndjson', '-c', '3', '--per-host', '3', '--per-host-rate', 'unlimited', '--resolver', resolver, '-f', file], { afterMs: 800, signals: 2 });
    const lines = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(10);
    const aborted = lines.filter((x) => x.error?.code === 'aborted');
    expect(aborted).toHaveLength(3);
    for (const x of aborted) expect(x).toMatchObject({ status: 'critical', error: { phase: 'banner', code: 'aborted' } });
    for (const x of lines.filter((y) => y.error?.code !== 'aborted')) expect(x).toMatchObject({ status: 'unknown', error: { code: 'not-probed' } });
    expect(r.ms).toBeLessThan(15_000); // not the 20 s banner timeout
    expect(r.code).toBe(3);
  });
});

describe('lists', () => {
  it('bad lines reported with their numbers, the rest probed; a summary on stderr for NDJSON', async () => {
    const ok = await fx.smtp({ leaf: pki.leaves.good });
    const file = join(tmp, 'mixed.txt');
    writeFileSync(file, ['# list', `[127.0.0.1]:${ok.port}`, 'bad[host', '', `smtp://127.0.0.1:${ok.port}`, 'x:99999'].join('\n'));
    const r = await runCli(cli.bin, [...SHORT, ...trust(), '--ndjson', '-f', file]);
    expect(r.stderr).toMatch(/mixed\.txt:3: /);
    expect(r.stderr).toMatch(/mixed\.txt:6: /);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(ok.connections).toBe(1); // both name one connection
    expect(r.stderr).toMatch(/^2 probes: 2 ok$/m);
    expect(r.stderr).toMatch(/^run: 2 destinations, 1 connection \(1 shared\), 2 bad lines, /m);
    expect(r.code).toBe(0);
  });

  it('exit 3 only when nothing in the list is usable', async () => {
    const file = join(tmp, 'bad.txt');
    writeFileSync(file, 'bad[host\n[::1\n');
    const r = await runCli(cli.bin, ['-f', file]);
    expect(r.stderr).toMatch(/bad\.txt:1: /);
    expect(r.stderr).toMatch(/bad\.txt:2: /);
    expect(r.stderr).toMatch(/no usable destination/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(3);
  });

  it('--format nagios over many probes: one line, worst status, perfdata per host', async () => {
    const ok = await fx.smtp({ leaf: pki.leaves.good, host: '127.0.0.8' });
    const soon = await fx.smtp({ leaf: pki.leaves.expiresSoon, host: '127.0.0.8' });
    // The third names the first again: one probe for both.
    const list = [`[127.0.0.8]:${ok.port}`, `[127.0.0.8]:${soon.port}`, `[127.0.0.8]:${ok.port}`];
    const r = await runCli(cli.bin, [...SHORT, ...trust(), '--format', 'nagios', ...list]);
    const out = r.stdout.split('\n').filter((l) => l !== '');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^SMTP-TLS CRITICAL - 2 probes: 1 critical, 1 ok; CRITICAL .* \| /);
    expect(r.code).toBe(2);
  });
});

describe('--baseline end to end', () => {
  it('changes on stderr and in each NDJSON line; --fail-on-change exits 2 and keeps the status', async () => {
    let s = await fx.smtp({ leaf: pki.leaves.good, host: '127.0.0.9' });
    const dest = `[127.0.0.9]:${s.port}`;
    const first = await runCli(cli.bin, [...SHORT, ...trust(), '--json', dest]);
    expect(first.code).toBe(0);
    const prev = join(tmp, 'prev.json');
    writeFileSync(prev, first.stdout);

    const same = await runCli(cli.bin, [...SHORT, ...trust(), '--baseline', prev, '--fail-on-change', dest]);
    expect(same.stdout).toMatch(/no changes since .*prev\.json/);
    expect(same.code).toBe(0);

    await s.close();
    s = await fx.smtp({ leaf: pki.leaves.direct, host: '127.0.0.9', port: s.port });
    const changed = await runCli(cli.bin, [...SHORT, ...trust(), '--ndjson', '--baseline', prev, dest]);
    const [line] = changed.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(line.changes.map((c: { kind: string }) => c.kind)).toEqual(['leaf', 'chain']);
    expect(changed.stderr).toMatch(/changes since .*prev\.json \(2\)/);
    expect(changed.code).toBe(0);

    // The change decides the exit code; the result keeps the server's own verdict.
    const failing = await runCli(cli.bin, [...SHORT, ...trust(), '--baseline', prev, '--fail-on-change', '-q', dest]);
    expect(failing.stdout).toMatch(/^OK /);
    expect(failing.code).toBe(2);

    const usage = await runCli(cli.bin, ['--fail-on-change', dest]);
    expect(usage.code).toBe(3);
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{"destination": \n');
    const bad = await runCli(cli.bin, ['--baseline', broken, dest]);
    expect(bad.stderr).toMatch(/--baseline .*broken\.json:1: not JSON/);
    expect(bad.code).toBe(3);
  });
});
