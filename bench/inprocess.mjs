#!/usr/bin/env node
// Probes per second with the library's probe() in a loop (sequential, and N at a time) against
// the fast loopback fixture, CPU per probe (process.cpuUsage, and the fixture server's own CPU
// from /proc), next to two floors run the same way in this process: the floor client's dialog
// (banner, EHLO, STARTTLS, TLS 1.3 handshake, first-ticket wait, EHLO, QUIT) and a bare
// tls.connect handshake on the implicit-TLS port. --cpu-prof: where a sequential probe's CPU goes
// (V8 sampling profiler, self time grouped: mxprobe code, TLS/net in Node, GC, the rest).
//   npm run build && node bench/inprocess.mjs [--n 300] [--cpu-prof]
import net from 'node:net';
import tls from 'node:tls';
import inspector from 'node:inspector';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, machine, snapshotBuild, startFixture, stopAll } from './single-common.mjs';

const args = process.argv.slice(2);
const N = Number(args.includes('--n') ? args[args.indexOf('--n') + 1] : 300);
const { probe } = await import(pathToFileURL(join(snapshotBuild('inprocess'), 'dist/index.js')).href);
const fixture = await startFixture();
const ca = readFileSync(fixture.caFile, 'utf8');
const HOST = '127.0.0.1';

/** The floor client's dialog as a function (bench/floor-client.mjs, minus argv and printing). */
function floorProbe(port) {
  return new Promise((resolve, reject) => {
    let stream = net.connect(port, HOST);
    let buf = '';
    let waiter = null;
    const onData = (chunk) => {
      buf += chunk.toString('latin1');
      const m = /(^|\n)\d{3} [^\n]*\n/.exec(buf);
      if (m && waiter) { const r = buf.slice(0, m.index + m[0].length); buf = buf.slice(r.length); const w = waiter; waiter = null; w(r); }
    };
    const reply = () => new Promise((r) => { waiter = r; onData(Buffer.alloc(0)); });
    const command = (line) => { stream.write(`${line}\r\n`); return reply(); };
    stream.on('data', onData).on('error', reject);
    (async () => {
      await reply();
      await command('EHLO floor.example');
      await command('STARTTLS');
      stream.removeListener('data', onData);
      stream = tls.connect({ socket: stream, ca, servername: fixture.servername, rejectUnauthorized: false });
      stream.on('data', onData).on('error', reject);
      await new Promise((r) => stream.once('secureConnect', r));
      if (stream.getProtocol() === 'TLSv1.3') await new Promise((r) => stream.once('session', () => setImmediate(r)));
      await command('EHLO floor.example');
      await command('QUIT');
      stream.destroy();
      resolve();
    })().catch(reject);
  });
}

/** A TLS handshake and nothing else, on the implicit port. */
function bareHandshake(port) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: HOST, port, ca, servername: fixture.servername, rejectUnauthorized: false }, () => { s.destroy(); resolve(); });
    s.on('error', reject);
  });
}

const options = { level: 'verify', ca, servername: fixture.servername, ehlo: 'bench.example', timeoutMs: 10_000 };
const dest = `[${HOST}]:${fixture.ports.starttls}`;
async function mxprobeOnce() {
  const r = await probe(dest, options);
  if (r.status !== 'ok') throw new Error(`probe: ${r.status} ${JSON.stringify(r.error)}`);
}

/** Jiffies (user+system) the fixture server process has used (Linux /proc). */
function serverTicks() {
  const f = readFileSync(`/proc/${fixture.child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
}
const TICK_MS = 10; // USER_HZ 100

async function measure(name, fn, concurrency) {
  for (let i = 0; i < 20; i++) await fn(); // warm-up: JIT, session caches, the server too
  const cpu0 = process.cpuUsage();
  const srv0 = serverTicks();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < N) await fn();
  }));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    name, concurrency, perSec: (N / ms) * 1000, msPerProbe: ms / N,
    clientCpuMs: (cpu.user + cpu.system) / 1000 / N, serverCpuMs: ((serverTicks() - srv0) * TICK_MS) / N,
  };
}

const rows = [];
try {
  for (const c of args.includes('--profile-only') ? [] : [1, 10, 50]) {
    rows.push(await measure('mxprobe probe()', mxprobeOnce, c));
    rows.push(await measure('floor dialog', () => floorProbe(fixture.ports.starttls), c));
    rows.push(await measure('bare TLS handshake', () => bareHandshake(fixture.ports.implicit), c));
  }
  let profileLines = [];
  if (args.includes('--cpu-prof')) profileLines = await profileSequential();
  const m = machine();
  const lines = [
    `# in-process: ${N} probes per row against the loopback fixture (TLS 1.3, RSA 2048 chain); ${m.date} node ${m.node}; load ${m.load}`,
    '| client | at once | probes/s | wall ms/probe | client CPU ms/probe | fixture server CPU ms/probe |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.concurrency} | ${r.perSec.toFixed(0)} | ${r.msPerProbe.toFixed(2)} | ${r.clientCpuMs.toFixed(2)} | ${r.serverCpuMs.toFixed(2)} |`),
    ...profileLines,
  ];
  console.log(lines.join('\n'));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, `bench/results/inprocess-${m.date.replace(/[:.]/g, '-')}.md`), `${lines.join('\n')}\n`);
} finally {
  await stopAll();
}

/** Sequential probes under the sampling profiler; self time by where the code lives. */
async function profileSequential() {
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  for (let i = 0; i < N; i++) await mxprobeOnce();
  const { profile } = await post('Profiler.stop');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const group = (url, fn) => {
    if (fn === '(idle)') return 'idle (waiting for the server)';
    if (fn === 'dispatch' && !url) return 'idle: the profiler itself (inspector dispatch)';
    if (fn === '(garbage collector)') return 'GC';
    if (url.includes('/dist/') || url.includes('mxprobe-bench-single')) return 'mxprobe (dist/)';
    if (url.includes('node_modules')) return 'dependencies';
    if (/_tls_|tls|crypto/.test(url)) return 'Node TLS/crypto JS (+ the OpenSSL work it calls)';
    if (/net|stream|socket/.test(url)) return 'Node net/streams';
    if (fn === '(program)') return 'native, unattributed (OpenSSL, libuv)';
    // Bindings have no URL: getPeerCertificate, KeyObject export, TLSWrap start (ClientHello,
    // key share), writeUtf8String (SSL_write), SecureContext init, c-ares ChannelWrap, ...
    if (!url && !fn.startsWith('(')) return 'other: Node native bindings (OpenSSL, sockets, c-ares)';
    return 'other Node internals';
  };
  const self = new Map();
  const fns = new Map();
  const others = new Map();
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const g = group(n.callFrame.url, n.callFrame.functionName);
    const dt = profile.timeDeltas[i] / 1000;
    self.set(g, (self.get(g) ?? 0) + dt);
    if (g === 'mxprobe (dist/)' || g.startsWith('other')) {
      const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/dist\//, '')}:${n.callFrame.lineNumber + 1}`;
      const m = g === 'mxprobe (dist/)' ? fns : others;
      m.set(k, (m.get(k) ?? 0) + dt);
    }
  });
  const total = [...self].filter(([g]) => !g.startsWith('idle')).reduce((a, [, v]) => a + v, 0);
  return [
    '',
    `# --cpu-prof, ${N} sequential probes: busy ${(total / N).toFixed(2)} ms/probe (self time, sampling profiler)`,
    '| where | ms/probe | share of busy |',
    '|---|---|---|',
    ...[...self].sort((a, b) => b[1] - a[1]).map(([g, v]) => `| ${g} | ${(v / N).toFixed(3)} | ${g.startsWith('idle') ? '' : `${((v / total) * 100).toFixed(0)}%`} |`),
    '',
    'other, top functions (ms/probe): ' + [...others].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => `${k} ${(v / N).toFixed(3)}`).join('; '),
    '',
    'mxprobe functions with the most self time (ms/probe): ' + [...fns].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / N).toFixed(3)}`).join('; '),
  ];
}
