// 10,000 targets against loopback fixtures : none lost, peak RSS, CPU per probe, and the
// same kind of list through `xargs -P 20 posttls-finger`. Every target is its own address:port
// (50 addresses 127.0.0.100+ × 200 ports), so nothing is deduplicated away.
// Run after `npm run build`:  [MXPROBE_EXTRA='--no-handshake-trace'] node bench/many-loopback.mjs [targets] [concurrency] [posttls-finger targets]
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { BIN, fmt, listenMany, makeCert, measure, smtpHandler, writeList } from './many-common.mjs';

const TARGETS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 50);
const PF_TARGETS = Number(process.argv[4] ?? 1000);
const PER_ADDRESS = 200;
const addresses = Array.from({ length: Math.ceil(TARGETS / PER_ADDRESS) }, (_, i) => `127.0.0.${100 + i}`);

const cert = makeCert();
const smtp = smtpHandler(tls.createSecureContext({ key: cert.key, cert: cert.cert }));
const t0 = Date.now();
const servers = await listenMany(smtp.handle, addresses, PER_ADDRESS);
const targets = servers.slice(0, TARGETS).map((s) => `[${s.address}]:${s.port}`);
console.log(`# ${TARGETS} targets on ${addresses.length} loopback addresses (listening took ${Date.now() - t0} ms), node ${process.version}`);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// The fixtures are ours: the per-address pace (--per-host-rate, 2/s by default) is not what is
// measured here (posttls-finger through xargs has none either); bench/many-polite.mjs measures it.
const paced = readFileSync(BIN.replace(/bin\/mxprobe\.js$/, 'dist/cli.cjs'), 'utf8').includes('per-host-rate');
const common = ['--level', 'encrypt', '--ehlo', 'bench.example', '--retries', '0', '--no-progress', ...(paced ? ['--per-host-rate', 'unlimited'] : []),
  ...(process.env.MXPROBE_EXTRA ?? '').split(' ').filter(Boolean)];
const report = (name, n, r) => {
  console.log(`${name}: ${n} targets, ${r.lines} results ${JSON.stringify(r.statuses)}, exit ${r.code}`);
  console.log(`  wall ${fmt(r.wallMs / 1000, 2)} s (${fmt((n * 1000) / r.wallMs, 0)} probes/s), CPU ${fmt(r.cpuS, 2)} s (user ${fmt(r.userS, 2)} sys ${fmt(r.sysS, 2)}) = ${fmt((r.cpuS * 1000) / n, 2)} ms/probe (${fmt(n / r.cpuS, 0)} probes per CPU-second), peak RSS ${fmt(r.maxRssMb, 0)} MB; load ${load()}`);
};

const big = await measure([...common, '--ndjson', '-c', String(CONCURRENCY), '--per-host', String(CONCURRENCY), '-f', writeList('all.txt', targets)]);
report(`mxprobe --ndjson -c ${CONCURRENCY}`, TARGETS, big);
if (big.stderr.trim()) console.log(big.stderr.trim().split('\n').map((l) => `  | ${l}`).join('\n'));

// The same kind of list at the same concurrency, one process for all vs one process per target.
const subset = targets.filter((_, i) => i % Math.floor(TARGETS / PF_TARGETS) === 0).slice(0, PF_TARGETS);
const subsetFile = writeList('subset.txt', subset);
const ours = await measure([...common, '--ndjson', '-c', '20', '--per-host', '20', '-f', subsetFile]);
report('mxprobe --ndjson -c 20', subset.length, ours);
const pf = await measure([], { command: ['sh', '-c', `xargs -P 20 -n 1 posttls-finger -c -l encrypt -t 10 -T 10 < ${subsetFile} > /dev/null 2>&1`] });
pf.lines = subset.length;
report('xargs -P 20 posttls-finger -c -l encrypt', subset.length, pf);
console.log(`  (posttls-finger lines not parsed: its exit status and output are not per-target JSON; RSS is the largest single process)`);
// One mxprobe process per target costs a Node start each: a tenth of the subset is enough to see it.
const tenth = writeList('tenth.txt', subset.slice(0, Math.ceil(subset.length / 10)));
const perTarget = await measure([], { command: ['sh', '-c', `xargs -P 20 -n 1 node ${process.env.MXPROBE_BIN ?? 'bin/mxprobe.js'} ${common.join(' ')} -q < ${tenth} > /dev/null 2>&1`] });
report('xargs -P 20 mxprobe -q (one process per target)', Math.ceil(subset.length / 10), { ...perTarget, lines: Math.ceil(subset.length / 10) });
console.log(`ratio (wall): xargs posttls-finger / mxprobe -c 20 = ${fmt(pf.wallMs / ours.wallMs, 2)}; CPU: ${fmt(pf.cpuS / ours.cpuS, 2)}`);
console.log(`server side: ${smtp.stats().sessions} sessions, at most ${smtp.stats().maxOpen} open at once`);
process.exit(0);
