// One list as 4 shards through GNU parallel (the recipe in docs/many-targets-scale.md), against
// one run of the same list: the union of the shards is the single run's set of results, no
// result comes twice, and the per-address cap holds across the four processes (the fixtures
// count the connections open at once per address, whichever process made them). The same
// list split by domain keeps the union but not the cap: the fixtures can see the difference.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../fixtures/temp.js';
import { builtCli, closedPort, runCli, runProcess, type Cli } from '../cli/helpers.js';
import { Counter, useRunFixtures } from './helpers.js';
import type { ProbeResult } from '../../src/types.js';

const fx = useRunFixtures();
let cli: Cli;
let tmp: string;
const counters = new Map<string, Counter>();
let list: string;
let resolver: string;

const ADDRESSES = ['127.0.0.41', '127.0.0.42', '127.0.0.43', '127.0.0.44', '127.0.0.45', '127.0.0.46'];
const NAMES_PER_ADDRESS = 5;

beforeAll(async () => {
  cli = await builtCli();
  tmp = tempDir('mxprobe-shards-');
  const zone: Record<string, { A?: string[]; rcode?: 'NXDOMAIN' }> = {};
  const targets: string[] = [];
  // One slow server per address (300 ms before its greeting), all on one port: several host
  // names per address, each its own connection (the SNI differs).
  const first = await fx.slow(ADDRESSES[0], counterOf(ADDRESSES[0]), 300);
  const port = first.port;
  for (const a of ADDRESSES.slice(1)) await fx.slow(a, counterOf(a), 300, { starttls: 'none' }, port);
  ADDRESSES.forEach((a, i) => {
    for (let n = 0; n < NAMES_PER_ADDRESS; n++) {
      zone[`h${n}.a${i}.shard.test`] = { A: [a] };
      targets.push(`[h${n}.a${i}.shard.test]:${port}`);
    }
  });
  // A host with two addresses: with --shard each is probed by the shard that owns it.
  zone['two.shard.test'] = { A: [ADDRESSES[0], ADDRESSES[1]] };
  targets.push(`[two.shard.test]:${port}`);
  // A name that does not exist: one shard reports it.
  zone['nx.shard.test'] = { rcode: 'NXDOMAIN' };
  targets.push(`[nx.shard.test]:${port}`);
  // Closed ports on addresses of their own, written as IP literals.
  const closed = await closedPort();
  for (let i = 0; i < 6; i++) targets.push(`[127.0.0.${50 + i}]:${closed}`);
  resolver = (await fx.dns(zone)).server;
  list = join(tmp, 'list.txt');
  writeFileSync(list, `${targets.join('\n')}\n`);
}, 240_000);

afterAll(() => {
  cli?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function counterOf(address: string): Counter {
  let c = counters.get(address);
  if (!c) counters.set(address, (c = new Counter()));
  return c;
}
function resetCounters(): void {
  for (const c of counters.values()) Object.assign(c, { open: 0, max: 0, total: 0 });
}
const maxPerAddress = () => Math.max(...[...counters.values()].map((c) => c.max));

// --all-addresses in the single run: with --shard a host is probed at each address its shard
// owns, so the union of the shards is the single run with every address.
const ARGS = () => ['--timeout', '5s', '--banner-timeout', '5s', '--connect-timeout', '3s', '--no-progress', '--level', 'may', '--retries', '0',
  '--ndjson', '--all-addresses', '--per-host', '1', '--per-host-rate', 'unlimited', '-c', '20', '--resolver', resolver, '-f', list];

const key = (r: ProbeResult) => `${r.destination} ${r.address} ${r.port} ${r.status} ${r.error?.code ?? '-'}`;
const parse = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeResult);

/**
 * The four shards at once through GNU parallel, each a job with its own --shard {}/4. `tee`:
 * the list comes on standard input, and `--pipe --tee` gives every job all of it.
 */
async function parallelShards(extra: string[], tee = false) {
  const joblog = join(tmp, 'joblog');
  const args = tee ? [...ARGS().slice(0, -1), '-'] : ARGS();
  const r = await runProcess('parallel', ['--will-cite', ...(tee ? ['--pipe', '--tee'] : []), '-j', '4', '--joblog', joblog, process.execPath, cli.bin, ...args, ...extra, '--shard', '{}/4', ':::', '1', '2', '3', '4'],
    { env: { TMPDIR: tmp }, ...(tee && { input: readFileSync(list, 'utf8') }) });
  // Exitval per job (parallel's own exit status is the number of jobs that exited non-zero).
  const exits = readFileSync(joblog, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split('\t')[6]));
  return { ...r, exits };
}

describe('4 shards through GNU parallel', () => {
  it('union = the single run, nothing twice, and the per-address cap held across the shards', async () => {
    resetCounters();
    const single = await runCli(cli.bin, ARGS());
    const one = parse(single.stdout);
    // 30 names, 2 addresses of one host, one NXDOMAIN, 6 closed ports.
    expect(one).toHaveLength(ADDRESSES.length * NAMES_PER_ADDRESS + 2 + 1 + 6);
    expect(maxPerAddress()).toBe(1);

    resetCounters();
    const sharded = await parallelShards([]);
    // Each shard exits with its worst status: WARNING (level may, no STARTTLS) or CRITICAL (closed ports), never 3.
    expect(sharded.exits, sharded.stderr).toHaveLength(4);
    for (const code of sharded.exits) expect([1, 2]).toContain(code);
    const union = parse(sharded.stdout);
    expect(new Set(union.map(key)).size).toBe(union.length); // no result twice
    expect(union.map(key).sort()).toEqual(one.map(key).sort());
    expect(union.filter((r) => r.error?.code === 'dns-nxdomain' || r.destination.startsWith('[nx.'))).toHaveLength(1);
    expect(union.filter((r) => r.destination.startsWith('[two.'))).toHaveLength(2);
    // Every address was probed from one shard only: never two connections at once.
    for (const [address, c] of counters) expect(c.max, address).toBe(1);
    expect(counters.get(ADDRESSES[0])!.total).toBe(NAMES_PER_ADDRESS + 1);
    for (const k of [1, 2, 3, 4]) expect(sharded.stderr).toMatch(new RegExp(`^run: \\d+ destinations?, shard ${k}/4 \\(\\d+ left to other shards\\)`, 'm'));
  }, 60_000);

  it('the list streamed on stdin to every job (parallel --pipe --tee): the same union', async () => {
    const single = parse((await runCli(cli.bin, ARGS())).stdout);
    resetCounters();
    const sharded = await parallelShards([], true);
    const union = parse(sharded.stdout);
    expect(union.map(key).sort()).toEqual(single.map(key).sort());
    for (const [address, c] of counters) expect(c.max, address).toBe(1);
  }, 60_000);

  it('split by domain instead: the same union, but an address may be probed from two shards at once', async () => {
    resetCounters();
    const sharded = await parallelShards(['--shard-by', 'domain']);
    const union = parse(sharded.stdout);
    const single = parse((await runCli(cli.bin, ARGS())).stdout);
    expect(union.map(key).sort()).toEqual(single.map(key).sort());
    resetCounters();
    await parallelShards(['--shard-by', 'domain']);
    // Five names per address spread over four processes that start together.
    expect(maxPerAddress()).toBeGreaterThan(1);
  }, 60_000);
});
