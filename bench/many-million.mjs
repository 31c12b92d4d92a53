// A million distinct targets from one process: wall, probes/s, CPU, peak RSS, none lost.
// Every target is its own address:port on 127.1.0.0/16 (ADDRESSES addresses, the list
// interleaved so neighbours are on different addresses, as a survey list sorted by domain is);
// most are closed ports that refuse at once, TLS_SHARE of them are STARTTLS fixtures (the ECDSA
// server of many-common.mjs, one listener per TLS target). Default pace (2 new connections a
// second per address), level encrypt, --retries 0. Only 127.x is used.
// Run after `npm run build`:
//   node bench/many-million.mjs [targets=1000000] [concurrency=200] [format=quiet|ndjson] [extra CLI flags...]
// SHARDS=4 runs the same list as 4 shards through GNU parallel instead (one process per shard,
// all four at once on this machine: the figure is the overhead of sharding, not a speed-up).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { BIN, fmt, listenMany, makeCert, smtpHandler } from './many-common.mjs';

const TARGETS = Number(process.argv[2] ?? 1_000_000);
const CONCURRENCY = Number(process.argv[3] ?? 200);
const FORMAT = process.argv[4] ?? 'quiet';
const EXTRA = process.argv.slice(5);
const TLS_SHARE = Number(process.env.TLS_SHARE ?? 0.01);
const SHARDS = Number(process.env.SHARDS ?? 1);
const ADDRESSES = Math.min(16_384, Math.ceil(TARGETS / 8));
const CLOSED_PORTS_FROM = 1000; // below the ephemeral range: nothing listens there on 127.1.x.x
const addressOf = (i) => `127.1.${(i >> 8) & 255}.${i & 255}`;

const cert = makeCert();
const smtp = smtpHandler(tls.createSecureContext({ key: cert.key, cert: cert.cert }));
const tlsCount = Math.round(TARGETS * TLS_SHARE);
const t0 = Date.now();
// One TLS listener on each of the first tlsCount addresses (wrapping when there are more).
const tlsServers = [];
for (let i = 0; i < tlsCount; i += 500) {
  const batch = Array.from({ length: Math.min(500, tlsCount - i) }, (_, j) => addressOf((i + j) % ADDRESSES));
  tlsServers.push(...(await listenMany(smtp.handle, batch, 1)));
}
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-bench-million-'));
const list = join(dir, 'list.txt');
// Target k: address k mod ADDRESSES; every 1/TLS_SHARE-th target is a TLS fixture.
const every = tlsCount ? Math.floor(TARGETS / tlsCount) : Infinity;
{
  const out = createWriteStream(list);
  let tlsNext = 0;
  const perAddress = new Uint16Array(ADDRESSES);
  for (let k = 0; k < TARGETS; k++) {
    let line;
    if (k % every === 0 && tlsNext < tlsServers.length) {
      const s = tlsServers[tlsNext++];
      line = `[${s.address}]:${s.port}\n`;
    } else {
      const a = k % ADDRESSES;
      line = `[${addressOf(a)}]:${CLOSED_PORTS_FROM + perAddress[a]++}\n`;
    }
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`# ${TARGETS} targets on ${ADDRESSES} loopback addresses, ${tlsServers.length} TLS fixtures (${fmt(TLS_SHARE * 100, 1)}%), -c ${CONCURRENCY}, --format ${FORMAT} ${EXTRA.join(' ')}${SHARDS > 1 ? `, ${SHARDS} shards via GNU parallel` : ''}; set up in ${fmt((Date.now() - t0) / 1000, 1)} s; node ${process.version}; load ${load()}`);

const args = ['--level', 'encrypt', '--ehlo', 'bench.example', '--retries', '0', '--no-progress', '--format', FORMAT, '-c', String(CONCURRENCY), ...EXTRA, '-f', list];
const command = SHARDS > 1
  ? ['/usr/bin/time', '-f', 'TIME %e %U %S %M', 'parallel', '--will-cite', '--quote', '-j', String(SHARDS), '--joblog', join(dir, 'joblog'), '/usr/bin/time', '-f', 'SHARD %e %U %S %M', process.execPath, BIN, ...args, '--shard', `{}/${SHARDS}`, ':::', ...Array.from({ length: SHARDS }, (_, i) => String(i + 1))]
  : ['/usr/bin/time', '-f', 'TIME %e %U %S %M', process.execPath, BIN, ...args];

// Count results as they stream: status words (quiet) or "status" fields (NDJSON), and the
// distinct targets (none lost, none twice).
const seen = new Set();
const statuses = {};
let lines = 0;
let twice = 0;
let stderr = '';
const started = process.hrtime.bigint();
const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
let tail = '';
child.stdout.setEncoding('utf8').on('data', (s) => {
  const parts = (tail + s).split('\n');
  tail = parts.pop();
  for (const l of parts) {
    if (!l) continue;
    lines++;
    let status;
    let target;
    if (FORMAT === 'ndjson') {
      status = /"status":"(\w+)"/.exec(l)?.[1];
      target = /"destination":"([^"]+)"/.exec(l)?.[1];
    } else {
      [status, target] = l.split(' ', 2);
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (seen.has(target)) twice++;
    else seen.add(target);
  }
});
child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
const code = await new Promise((r) => child.on('close', r));
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
const cpuS = m ? Number(m[2]) + Number(m[3]) : NaN;
const shardRss = [...stderr.matchAll(/SHARD [\d.]+ [\d.]+ [\d.]+ (\d+)/g)].map((x) => Number(x[1]) / 1024);
const rssMb = shardRss.length ? Math.max(...shardRss) : m ? Number(m[4]) / 1024 : NaN;
console.log(`results: ${lines} lines, ${seen.size} distinct targets, ${twice} twice, ${TARGETS - seen.size} lost; ${JSON.stringify(statuses)}; exit ${code}`);
console.log(`wall ${fmt(wallMs / 1000, 1)} s (${fmt((TARGETS * 1000) / wallMs, 0)} probes/s), client CPU ${fmt(cpuS, 1)} s (${fmt((cpuS * 1000) / TARGETS, 3)} ms/probe), peak RSS ${fmt(rssMb, 0)} MB${shardRss.length ? ` (largest shard; shards ${shardRss.map((x) => fmt(x, 0)).join(', ')} MB)` : ''}; load ${load()}`);
console.log(`server side: ${smtp.stats().sessions} TLS sessions, at most ${smtp.stats().maxOpen} open at once`);
if (lines === 0) console.log(stderr.slice(-2000));
const summary = stderr.split('\n').filter((l) => /^(run|errors|\d+ probes):? /.test(l));
if (summary.length) console.log(summary.map((l) => `  | ${l}`).join('\n'));
rmSync(dir, { recursive: true, force: true });
rmSync(cert.dir, { recursive: true, force: true });
process.exit(0);
