// The run options of this page's flags refuse bad values with one line and exit 3 before any
// connection; their parsers on their own; the progress line while a streamed list's length is
// not known yet.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../fixtures/temp.js';
import { builtCli, closedPort, runCli, STACK, type Cli } from '../cli/helpers.js';
import { parseSourceAddress } from '../../src/cli-options.js';
import { UsageError } from '../../src/errors.js';
import { createProgress, progressLine } from '../../src/progress.js';
import { smtpDialog } from '../../fixtures/faulty-servers.js';
import { useRunFixtures } from './helpers.js';

const fx = useRunFixtures();
let cli: Cli;
beforeAll(async () => {
  cli = await builtCli();
});
afterAll(() => cli?.cleanup());

describe('usage errors of the run options', () => {
  it.each([
    [['--shard', '0/4'], /^mxprobe: --shard: shards are numbered from 1 .*JOB_COMPLETION_INDEX \+ 1/],
    [['--shard', '5/4'], /^mxprobe: --shard: K must be between 1 and 4, got 5$/],
    [['--shard', 'half'], /^mxprobe: --shard: expected K\/N/],
    [['--shard-seed', 'x'], /^mxprobe: --shard-seed and --shard-by go with --shard K\/N$/],
    [['--shard-by', 'domain'], /^mxprobe: --shard-seed and --shard-by go with --shard K\/N$/],
    [['--shard', '1/2', '--shard-by', 'ip'], /^mxprobe: --shard-by: 'ip' is not one of address, domain$/],
    [['--per-host-rate', 'fast'], /^mxprobe: --per-host-rate: expected a rate like 2\/s, 30\/min or unlimited, got 'fast'$/],
    [['--per-host-rate', '0/s'], /^mxprobe: --per-host-rate: expected a rate/],
    [['--source-address', 'mx.example.com'], /^mxprobe: --source-address: expected an IP address, got 'mx\.example\.com'$/],
    [['--source-address', '::1', '-4'], /^mxprobe: -4 and --source-address of IPv6 only exclude each other$/],
  ])('%j', async (flags, message) => {
    const s = await fx.raw((io) => smtpDialog(io, { starttls: 'none' }));
    const r = await runCli(cli.bin, [...flags, '--no-progress', `[127.0.0.1]:${s.port}`]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
    expect(s.connections).toBe(0);
  });

  it('a shard compares no baseline: merge the shards first', async () => {
    const baseline = join(tempDir('mxprobe-shard-baseline-'), 'prev.json');
    writeFileSync(baseline, '[]\n');
    const r = await runCli(cli.bin, ['--shard', '1/2', '--baseline', baseline, '[127.0.0.1]:25']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mxprobe: --baseline compares a whole run: merge the shards first/m);
  });

  it('a shard with nothing of its own exits 0 and says where the rest went', async () => {
    const port = await closedPort();
    const codes: number[] = [];
    for (const k of [1, 2]) {
      const r = await runCli(cli.bin, ['--ndjson', '--no-progress', '--retries', '0', '--shard', `${k}/2`, `[127.0.0.1]:${port}`]);
      codes.push(r.code!);
      expect(r.stderr).toMatch(new RegExp(`^run: 1 destination, shard ${k}/2 \\(\\d left to other shards\\)`, 'm'));
      if (r.stdout === '') expect(r.stderr).toMatch(/^0 probes$/m);
    }
    // One shard probes the closed port (CRITICAL), the other has nothing to judge.
    expect(codes.sort()).toEqual([0, 2]);
  });

  it('policy and scan do not take the list-run flags', async () => {
    const r = await runCli(cli.bin, ['scan', '--shard', '1/2', '[127.0.0.1]:25']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/--shard is not an option of scan; it belongs to probe/);
  });
});

describe('parsers', () => {
  it('--source-address takes IPv4 and IPv6, with or without brackets', () => {
    expect(parseSourceAddress('127.0.0.2')).toBe('127.0.0.2');
    expect(parseSourceAddress('[::1]')).toBe('::1');
    expect(parseSourceAddress(' 2001:db8::1 ')).toBe('2001:db8::1');
    for (const bad of ['', 'localhost', '127.0.0.256', '[127.0.0.1']) expect(() => parseSourceAddress(bad), bad).toThrow(UsageError);
  });
});

describe('progress while a list is still being read', () => {
  it('counts without a total and an ETA until the total is known', () => {
    expect(progressLine(312, null, 4, 10_000)).toBe('312 done, 4 failed, 31.2/s');
    const out: string[] = [];
    let t = 0;
    const p = createProgress({ stream: { write: (s: string) => out.push(s) }, total: null, enabled: true, intervalMs: 0, now: () => t });
    t = 1000;
    p.tick(0);
    expect(out.at(-1)).toContain('1 done, 0 failed, 1.0/s');
    p.setTotal(4);
    t = 2000;
    p.tick(1);
    expect(out.at(-1)).toContain('2/4 done, 1 failed, 1.0/s, ETA 2 s');
  });
});
