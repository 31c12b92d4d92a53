// 1,000 probes at -c 200 through a relay that adds 50 ms of round-trip time :
// wall time should stay within 1.3× the round-trip floor, ceil(1000/200) × RTTs per probe × 50 ms.
// Run after `npm run build`:  node bench/many-relay.mjs [probes] [concurrency] [rttMs] [extra CLI flags...]
// (bench/relay.* from the single-probe benchmarks may replace the small relay in many-common.mjs.)
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { BIN, capture, fmt, listenMany, makeCert, measure, relayHandler, smtpHandler, writeList } from './many-common.mjs';

const PROBES = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 200);
const RTT = Number(process.argv[4] ?? 50);
const ADDRESSES = Array.from({ length: 10 }, (_, i) => `127.0.0.${30 + i}`);

const cert = makeCert();
const smtp = smtpHandler(tls.createSecureContext({ key: cert.key, cert: cert.cert }));
const [server] = await listenMany(smtp.handle, ['127.0.0.1'], 1);
// One relay listener per target, so every target is its own connection (no dedupe).
const relays = await listenMany(relayHandler({ address: '127.0.0.1', port: server.port }, RTT), ADDRESSES, Math.ceil(PROBES / ADDRESSES.length));
const targets = relays.slice(0, PROBES).map((r) => `[${r.address}]:${r.port}`);
// The relay is ours: the per-address pace (--per-host-rate, 2/s by default) is not what is measured.
const paced = readFileSync(BIN.replace(/bin\/mxprobe\.js$/, 'dist/cli.cjs'), 'utf8').includes('per-host-rate');
const common = ['--level', 'encrypt', '--ehlo', 'bench.example', '--retries', '0', '--no-progress', '--ndjson', ...(paced ? ['--per-host-rate', 'unlimited'] : []), ...process.argv.slice(5)];

// Round trips one probe waits for, from a probe alone on the path.
const one = JSON.parse(await capture([...common, targets[0]]));
const rtts = one.timingMs.total / RTT;
const startup = await measure(['--version']);
const run = await measure([...common, '-c', String(CONCURRENCY), '--per-host', String(CONCURRENCY), '-f', writeList('relay.txt', targets)]);
const floor = Math.ceil(PROBES / CONCURRENCY) * Math.round(rtts) * RTT;
const runMs = run.wallMs - startup.wallMs;

console.log(`# ${PROBES} probes, -c ${CONCURRENCY}, ${RTT} ms RTT relay (node ${process.version})`);
console.log(`one probe alone: ${fmt(one.timingMs.total, 0)} ms = ${fmt(rtts, 2)} RTTs (connect ${one.timingMs.connect} banner ${one.timingMs.banner} ehlo ${one.timingMs.ehlo} starttls ${one.timingMs.starttls} handshake ${one.timingMs.handshake})`);
console.log(`results: ${run.lines} (${JSON.stringify(run.statuses)}), exit ${run.code}`);
console.log(`wall: ${fmt(run.wallMs, 0)} ms, minus CLI startup ${fmt(startup.wallMs, 0)} ms = ${fmt(runMs, 0)} ms`);
console.log(`floor: ceil(${PROBES}/${CONCURRENCY}) × ${Math.round(rtts)} RTTs × ${RTT} ms = ${floor} ms → ratio ${fmt(runMs / floor, 2)} (wall incl. startup ${fmt(run.wallMs / floor, 2)}), target ≤ 1.25`);
console.log(`client CPU: ${fmt(run.cpuS, 2)} s (${fmt((run.cpuS * 1000) / PROBES, 2)} ms/probe), peak RSS ${fmt(run.maxRssMb, 0)} MB; server max open ${smtp.stats().maxOpen}`);
if (run.stderr.trim()) console.log(run.stderr.trim().split('\n').slice(-4).join('\n'));
process.exit(0);
