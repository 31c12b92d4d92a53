// Lists of any size: -f - (and files) are read while probing, so the first result comes before
// the list has ended; repeats are dropped as they are read; --json streams its array; a table
// run past the summary table's limit summarizes with counts instead of holding every result.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../fixtures/temp.js';
import { smtpDialog } from '../../fixtures/faulty-servers.js';
import { builtCli, closedPort, ROOT, runCli, type Cli } from '../cli/helpers.js';
import { useRunFixtures } from './helpers.js';
import type { ProbeResult } from '../../src/types.js';

const fx = useRunFixtures();
let cli: Cli;
let tmp: string;

beforeAll(async () => {
  cli = await builtCli();
  tmp = tempDir('mxprobe-stream-');
});
afterAll(() => {
  cli?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const SHORT = ['--timeout', '5s', '--banner-timeout', '5s', '--connect-timeout', '3s', '--no-progress', '--level', 'may', '--retries', '0'];
const plainServer = (host = '127.0.0.1') => fx.raw((io) => smtpDialog(io, { starttls: 'none' }), host);

describe('-f - read while probing', () => {
  it('the first result is out before the list has ended', async () => {
    const servers = await Promise.all([1, 2, 3].map(() => plainServer()));
    const child = spawn(process.execPath, [cli.bin, ...SHORT, '--ndjson', '--per-host-rate', 'unlimited', '-f', '-'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const firstLine = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
        if (stdout.includes('\n')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // One line, and the list stays open until its result has come back.
    child.stdin.write(`[127.0.0.1]:${servers[0].port}\n`);
    await firstLine;
    expect(servers[0].connections).toBe(1);
    expect(servers[1].connections).toBe(0);
    child.stdin.end(`# more\n[127.0.0.1]:${servers[1].port}\n[127.0.0.1]:${servers[2].port}\n[127.0.0.1]:${servers[0].port}\n`);
    const code = await exited;
    clearTimeout(killer);
    const results = stdout.trim().split('\n').map((l) => JSON.parse(l) as ProbeResult);
    expect(results.map((r) => r.port)).toEqual(servers.map((s) => s.port));
    expect(stderr).toMatch(/^run: 3 destinations, 3 connections, 1 duplicate skipped, /m);
    expect(code).toBe(1); // may without STARTTLS
  });

  it('repeats across arguments and lists count once, first one wins', async () => {
    const s = await plainServer();
    const file = join(tmp, 'dups.txt');
    writeFileSync(file, `[127.0.0.1]:${s.port}\nINET:[127.0.0.1]:${s.port}\n[127.0.0.1]:${s.port}\n`);
    const r = await runCli(cli.bin, [...SHORT, '--ndjson', `[127.0.0.1]:${s.port}`, '-f', file, '-f', file]);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ProbeResult);
    // "inet:" names the same connection but is another input: shared, not dropped.
    expect(results.map((x) => x.destination)).toEqual([`[127.0.0.1]:${s.port}`, `INET:[127.0.0.1]:${s.port}`]);
    expect(s.connections).toBe(1);
    expect(r.stderr).toMatch(/^run: 2 destinations, 1 connection \(1 shared\), 5 duplicates skipped, /m);
  });

  it('an unreadable list is a usage error before any connection', async () => {
    const s = await plainServer();
    const missing = await runCli(cli.bin, [...SHORT, `[127.0.0.1]:${s.port}`, '-f', join(tmp, 'nope.txt')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^mxprobe: cannot read .*nope\.txt: ENOENT$/m);
    const dir = join(tmp, 'a-dir');
    mkdirSync(dir);
    const isDir = await runCli(cli.bin, [...SHORT, `[127.0.0.1]:${s.port}`, '-f', dir]);
    expect(isDir.code).toBe(3);
    expect(isDir.stderr).toMatch(/^mxprobe: cannot read .*a-dir: EISDIR$/m);
    expect(s.connections).toBe(0);
  });
});

describe('output of long runs', () => {
  it('--json streams one array: the same document toJson writes', async () => {
    const servers = await Promise.all([1, 2, 3].map(() => plainServer()));
    const r = await runCli(cli.bin, [...SHORT, '--json', '--per-host-rate', 'unlimited', ...servers.map((s) => `[127.0.0.1]:${s.port}`)]);
    expect(r.stdout.startsWith('[\n  {\n    "schemaVersion": ')).toBe(true);
    expect(r.stdout.endsWith('\n  }\n]\n')).toBe(true);
    const doc = JSON.parse(r.stdout) as ProbeResult[];
    expect(doc).toHaveLength(3);
    expect(r.stdout).toBe(`${JSON.stringify(doc, null, 2)}\n`);
  });

  it('a table run past 1,000 results ends with the counts, not a summary table', async () => {
    const port = await closedPort();
    // 1,001 distinct connections that are refused at once (one per loopback address).
    const file = join(tmp, 'closed.txt');
    writeFileSync(file, Array.from({ length: 1001 }, (_, i) => `[127.0.${10 + Math.floor(i / 250)}.${1 + (i % 250)}]:${port}`).join('\n'));
    const r = await runCli(cli.bin, [...SHORT, '-c', '100', '-f', file]);
    expect(r.code).toBe(2);
    const tail = r.stdout.slice(-2000);
    expect(tail).toMatch(/^1001 probes: 1001 critical$/m);
    expect(tail).toMatch(/^errors: 1001 refused$/m);
    expect(tail).toMatch(/^summary table left out: more than 1000 results \(each one's table is above; the counts cover all 1001\)$/m);
    expect(r.stdout).not.toMatch(/│ STATUS|STATUS +│|^\s*STATUS\s/m);
  }, 60_000);
});
