#!/usr/bin/env node
// What the handshake trace (src/tls/handshake-trace.ts: Node's TLS over a JS Duplex, the flight
// parsed, TLS 1.3's decrypted) costs per handshake: the same loop of upgradeToTls + negotiatedFacts
// against a loopback server in a child process (so only the client's CPU is counted), with and
// without `trace: true`, in alternating blocks, and the parse alone. CPU from process.cpuUsage,
// wall from performance.now.
//   node bench/handshake-trace.mjs [--n 400]
import net from 'node:net';
import tls from 'node:tls';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT, machine, median } from './single-common.mjs';

const args = process.argv.slice(2);
const N = Number(args.includes('--n') ? args[args.indexOf('--n') + 1] : 400);
const cache = join(ROOT, 'node_modules', '.cache', 'mxprobe-bench-trace');
mkdirSync(cache, { recursive: true });
const lib = join(cache, 'trace-lib.mjs');
const server = join(cache, 'trace-server.mjs');
await build({
  stdin: { contents: "export { upgradeToTls } from './src/tls/upgrade.ts'; export { negotiatedFacts } from './src/tls/negotiated.ts'; export { tracerOf } from './src/tls/handshake-trace.ts';", resolveDir: ROOT, loader: 'ts' },
  outfile: lib, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
});
await build({ entryPoints: [join(ROOT, 'bench/trace-server.ts')], outfile: server, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
const { upgradeToTls, negotiatedFacts, tracerOf: traceOf } = await import(pathToFileURL(lib).href);
const child = spawn(process.execPath, [server], { stdio: ['pipe', 'pipe', 'inherit'] });
const ports = await new Promise((r) => createInterface({ input: child.stdout }).once('line', (l) => r(JSON.parse(l))));

const context = tls.createSecureContext({});
// Modes: off (no trace), tap (trace: true but never read: the Duplex and keylog only), on (read).
async function once(port, mode) {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise((r, j) => socket.once('connect', r).once('error', j));
  const secure = await upgradeToTls(socket, { servername: 'mx.test.example', secureContext: context, timeoutMs: 5000, phase: 'handshake', mode: 'implicit', trace: mode !== 'off' });
  const facts = mode === 'tap' ? { peerSignature: null } : negotiatedFacts(secure, 'mx.test.example');
  await new Promise((r) => secure.once('end', r).resume());
  secure.destroy();
  return facts;
}

async function block(port, mode, n) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let facts;
  for (let i = 0; i < n; i++) facts = await once(port, mode);
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / n, wallMs: (performance.now() - t0) / n, facts };
}

console.log(`# handshake trace cost, ${N} handshakes per mode and version, ${JSON.stringify(machine())}`);
console.log('| server | mode | client CPU per handshake (median of blocks) | wall per handshake | peerSignature |');
console.log('|---|---|---|---|---|');
for (const [name, port] of Object.entries(ports)) {
  const modes = ['off', 'on'];
  for (let i = 0; i < 30; i++) await once(port, modes[i % 2]); // warm-up
  const res = { off: [], on: [] };
  let sig = null;
  const blocks = 8;
  for (let b = 0; b < blocks; b++) {
    for (const mode of b % 2 ? [...modes].reverse() : modes) {
      const r = await block(port, mode, Math.ceil(N / blocks));
      res[mode].push(r);
      if (mode === 'on') sig = r.facts.peerSignature;
    }
  }
  for (const mode of modes) {
    const cpu = median(res[mode].map((r) => r.cpuUs));
    const wall = median(res[mode].map((r) => r.wallMs));
    console.log(`| ${name} | ${mode} | ${(cpu / 1000).toFixed(3)} ms | ${wall.toFixed(3)} ms | ${mode === 'on' ? `${sig?.type}/${sig?.digest}` : '—'} |`);
  }
}
// The parse alone (records, TLS 1.3 decryption, messages), on one captured handshake: the rest of
// the difference above is Node's TLS over a JS stream instead of the socket's native handle.
{
  const socket = net.connect({ port: ports.tls13, host: '127.0.0.1' });
  await new Promise((r) => socket.once('connect', r));
  const secure = await upgradeToTls(socket, { servername: 'mx.test.example', secureContext: context, timeoutMs: 5000, phase: 'handshake', mode: 'implicit', trace: true });
  const tracer = traceOf(secure);
  const n = 2000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) tracer.reparse();
  console.log(`\nparse of one TLS 1.3 flight (decrypt + messages): ${((performance.now() - t0) / n).toFixed(3)} ms`);
  secure.destroy();
}
child.stdin.end();
