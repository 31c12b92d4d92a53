// Issue 6, "bad input": a 10,000-line list of which 30% time out still finishes in bounded time.
// 7,000 targets are the usual fast STARTTLS fixture, 3,000 are silent (accept, never greet).
// Bound: the silent ones cost one --banner-timeout each (plus the implicit-TLS check of a silent
// port, itself bounded), spread over -c slots: about ceil(3000 / c) × (banner timeout + check).
// Run after `npm run build`:  node bench/many-timeouts.mjs [targets=10000] [concurrency=200] [bannerTimeoutS=2]
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { BIN, fmt, listenMany, makeCert, measure, smtpHandler, writeList } from './many-common.mjs';

// The fixtures are ours: the per-address pace (2/s by default) is not what is measured here.
const paced = readFileSync(BIN.replace(/bin\/mxprobe\.js$/, 'dist/cli.cjs'), 'utf8').includes('per-host-rate') ? ['--per-host-rate', 'unlimited'] : [];

const TARGETS = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 200);
const BANNER_S = Number(process.argv[4] ?? 2);
const SILENT = Math.round(TARGETS * 0.3);
const PER_ADDRESS = 200;

const cert = makeCert();
const smtp = smtpHandler(tls.createSecureContext({ key: cert.key, cert: cert.cert }));
const silentSockets = new Set();
const silent = (socket) => {
  silentSockets.add(socket);
  socket.on('error', () => {}).on('close', () => silentSockets.delete(socket));
  socket.setTimeout(60_000, () => socket.destroy());
};
const goodAddresses = Array.from({ length: Math.ceil((TARGETS - SILENT) / PER_ADDRESS) }, (_, i) => `127.0.1.${10 + i}`);
const silentAddresses = Array.from({ length: Math.ceil(SILENT / PER_ADDRESS) }, (_, i) => `127.0.2.${10 + i}`);
const good = (await listenMany(smtp.handle, goodAddresses, PER_ADDRESS)).slice(0, TARGETS - SILENT);
const dead = (await listenMany(silent, silentAddresses, PER_ADDRESS)).slice(0, SILENT);
// Interleave, so the silent targets are spread over the whole run.
const targets = [];
for (let i = 0, g = 0, d = 0; i < TARGETS; i++) {
  const pickDead = d < dead.length && (g >= good.length || (i * 3) % 10 < 3);
  const s = pickDead ? dead[d++] : good[g++];
  targets.push(`[${s.address}]:${s.port}`);
}
const bound = Math.ceil(SILENT / CONCURRENCY) * (BANNER_S + 0.5) + (TARGETS - SILENT) * 0.0015;
console.log(`# ${TARGETS} targets, ${SILENT} silent, -c ${CONCURRENCY}, --banner-timeout ${BANNER_S}s, node ${process.version}`);
const r = await measure([...paced, '--level', 'encrypt', '--ehlo', 'bench.example', '--retries', '0', '--no-progress', '--banner-timeout', `${BANNER_S}s`,
  '--ndjson', '-c', String(CONCURRENCY), '--per-host', String(CONCURRENCY), '-f', writeList('timeouts.txt', targets)]);
console.log(`results: ${r.lines} of ${TARGETS} ${JSON.stringify(r.statuses)}, exit ${r.code}`);
console.log(`wall ${fmt(r.wallMs / 1000, 2)} s; expected bound ≈ ceil(${SILENT}/${CONCURRENCY}) × (${BANNER_S} s + 0.5 s check) + ${TARGETS - SILENT} × 1.5 ms = ${fmt(bound, 1)} s; CPU ${fmt(r.cpuS, 2)} s; peak RSS ${fmt(r.maxRssMb, 0)} MB`);
for (const s of silentSockets) s.destroy();
process.exit(0);
