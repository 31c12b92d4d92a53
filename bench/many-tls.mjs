// TLS probes on loopback: probes/s and client CPU per STARTTLS + TLS 1.3 probe (banner, EHLO,
// STARTTLS, handshake, EHLO, QUIT), peak RSS. Every target is its own address:port (100 ports on
// each of TARGETS/100 addresses 127.0.2.x), so nothing is deduplicated away; level encrypt, no
// retries, --per-host-rate unlimited (the fixtures are ours, the rate is not what is measured).
// A/B: MXPROBE_BINS=a/bin/mxprobe.js,b/bin/mxprobe.js alternates builds, RUNS times each.
// Run after `npm run build`:  node bench/many-tls.mjs [targets=10000] [concurrency=50] [runs=1] [extra CLI flags...]
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { BIN, fmt, listenMany, makeCert, measure, smtpHandler, writeList } from './many-common.mjs';

const TARGETS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 50);
const RUNS = Number(process.argv[4] ?? 1);
const EXTRA = process.argv.slice(5);
const PER_ADDRESS = 100;
const BINS = (process.env.MXPROBE_BINS ?? BIN).split(',');
const addresses = Array.from({ length: Math.ceil(TARGETS / PER_ADDRESS) }, (_, i) => `127.0.${2 + Math.floor(i / 250)}.${1 + (i % 250)}`);

const cert = makeCert();
const smtp = smtpHandler(tls.createSecureContext({ key: cert.key, cert: cert.cert }));
const servers = await listenMany(smtp.handle, addresses, PER_ADDRESS);
const list = writeList('tls.txt', servers.slice(0, TARGETS).map((s) => `[${s.address}]:${s.port}`));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`# ${TARGETS} STARTTLS targets on ${addresses.length} loopback addresses, -c ${CONCURRENCY} ${EXTRA.join(' ')}; node ${process.version}`);

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
