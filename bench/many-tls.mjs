// TLS probes on loopback: probes/s and client CPU per STARTTLS + TLS 1.3 probe (banner, EHLO,
// STARTTLS, handshake, EHLO, QUIT), peak RSS. Every target is its own address:port (100 ports on
// each of TARGETS/100 addresses 127.20.x.x and up), so nothing is deduplicated away; level encrypt, no
// retries, --per-host-rate unlimited (the fixtures are ours, the rate is not what is measured).
// The fixture servers run in child processes.
// A/B: MXPROBE_BINS=a/bin/mxprobe.js,b/bin/mxprobe.js alternates builds, RUNS times each.
// Run after `npm run build`:  node bench/many-tls.mjs [targets=10000] [concurrency=50] [runs=1] [extra CLI flags...]
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN, fmt, makeCert, measure, writeList } from './many-common.mjs';

const TARGETS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 50);
const RUNS = Number(process.argv[4] ?? 1);
const EXTRA = process.argv.slice(5);
const PER_ADDRESS = 100;
const BINS = (process.env.MXPROBE_BINS ?? BIN).split(',');
// The servers live in child processes (many-tls-server.mjs), up to 15,000 listeners each: a
// process has 20,000 file descriptors here, and 100,000 targets need as many listeners.
const PER_CHILD = 15_000;
const cert = makeCert();
const children = [];
const targets = [];
for (let k = 0; k * PER_CHILD < TARGETS; k++) {
  const n = Math.min(PER_CHILD, TARGETS - k * PER_CHILD);
  const child = spawn(process.execPath, [new URL('./many-tls-server.mjs', import.meta.url).pathname, cert.dir, String(20 + k), String(Math.ceil(n / PER_ADDRESS)), String(PER_ADDRESS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines = [];
  await new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`server child exited ${code}`)));
    createInterface({ input: child.stdout }).on('line', (l) => (l === 'ready' ? resolve() : lines.push(l)));
  });
  targets.push(...lines.slice(0, n));
}
process.on('exit', () => children.forEach((c) => c.kill()));
const list = writeList('tls.txt', targets);
const addresses = new Set(targets.map((t) => t.slice(1, t.indexOf(']'))));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`# ${TARGETS} STARTTLS targets on ${addresses.size} loopback addresses (servers in ${children.length} child processes), -c ${CONCURRENCY} ${EXTRA.join(' ')}; node ${process.version}`);

const supports = (bin, flag) => readFileSync(bin.replace(/bin\/mxprobe\.js$/, 'dist/cli.cjs'), 'utf8').includes(flag);
// The floor: the smallest client doing the same dialog over the same list (many-floor-client.mjs).
const FLOOR = new URL('./many-floor-client.mjs', import.meta.url).pathname;
for (let run = 0; run < RUNS; run++) {
  if (process.env.FLOOR !== '0') {
    const f = await measure([], { command: [process.execPath, FLOOR, list, String(CONCURRENCY)] });
    console.log(`floor client: ${f.lines} lines, wall ${fmt(f.wallMs / 1000, 2)} s (${fmt((TARGETS * 1000) / f.wallMs, 0)} probes/s), CPU ${fmt(f.cpuS, 2)} s = ${fmt((f.cpuS * 1000) / TARGETS, 3)} ms/probe, peak RSS ${fmt(f.maxRssMb, 0)} MB; load ${load()}`);
  }
  for (const bin of BINS) {
    const rate = supports(bin, 'per-host-rate') ? ['--per-host-rate', 'unlimited'] : [];
    const r = await measure(['--level', 'encrypt', '--ehlo', 'bench.example', '--retries', '0', '--no-progress', '--ndjson',
      '-c', String(CONCURRENCY), '--per-host', String(CONCURRENCY), ...rate, ...EXTRA, '-f', list], { command: [process.execPath, bin] });
    console.log(`${bin}: ${r.lines} results ${JSON.stringify(r.statuses)}, exit ${r.code}; wall ${fmt(r.wallMs / 1000, 2)} s (${fmt((TARGETS * 1000) / r.wallMs, 0)} probes/s), CPU ${fmt(r.cpuS, 2)} s (user ${fmt(r.userS, 2)} sys ${fmt(r.sysS, 2)}) = ${fmt((r.cpuS * 1000) / TARGETS, 3)} ms/probe, peak RSS ${fmt(r.maxRssMb, 0)} MB; load ${load()}`);
    if (r.lines !== TARGETS) console.log(r.stderr.split('\n').slice(-5).join('\n'));
  }
}
process.exit(0);
