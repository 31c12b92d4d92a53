#!/usr/bin/env node
// mxprobe scan vs sslscan --starttls-smtp (and testssl.sh once, if asked) on the same loopback
// servers, in one run: wall times (median of N, alternating), whether the accepted protocol/cipher
// sets are the same, and the library's own time (scan() in this process, Node startup excluded).
// Servers: the scan fixtures (bench/scan-fixture.ts), the private Postfix (fixtures/postfix/start.mjs:
// 'good' = Debian's defaults, 'tls13'), the private Exim (fixtures/exim/start.mjs: Exim's default
// cap of 20, a cap of 4; sslscan's reference sets come from the uncapped twin, since sslscan
// trips over the cap itself). --quick: scan({ quick: true }) in-process and as a whole process
// (bench/scan-quick-entry.ts bundled like the CLI; the CLI flag is the lead's).
//   node bench/scan.mjs [--runs 5] [--testssl] [--dist] [server...]
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { snapshotBuild } from './single-common.mjs';

const run = promisify(execFile);
const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5);
const withTestssl = args.includes('--testssl');
const FIXTURES = ['weak', 'dual', 'tls13Only', 'smtp-server'];
const POSTFIX = ['postfix-good', 'postfix-tls13'];
const EXIM = ['exim-stock', 'exim-capped'];
const picked = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const names = picked.length ? picked : [...FIXTURES, ...POSTFIX, ...EXIM];

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-bench-scan-'));
const children = [];
function jsonChild(argv) {
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${argv[0]} exited ${code}`)));
    createInterface({ input: child.stdout }).once('line', (l) => resolve(JSON.parse(l)));
  });
}

// Bundled under node_modules/.cache so its bare imports (smtp-server) resolve from the project.
const fixtureJs = join('node_modules', '.cache', 'mxprobe-bench-scan', 'fixture.mjs');
await build({ entryPoints: ['bench/scan-fixture.ts'], outfile: fixtureJs, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
const snapshot = args.includes('--dist') ? '.' : snapshotBuild('scan');
const cliJs = join(snapshot, 'bin/mxprobe.js');
const { scan } = await import(pathToFileURL(join(snapshot, 'dist/index.js')).href);
// A whole-process quick scan, bundled like the CLI (without its code cache), until the CLI has --quick.
const quickJs = join('node_modules', '.cache', 'mxprobe-bench-scan', 'quick.cjs');
await build({ entryPoints: ['bench/scan-quick-entry.ts'], outfile: quickJs, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' });

const ports = {};
const wantFixtures = names.filter((n) => FIXTURES.includes(n));
if (wantFixtures.length) {
  const child = spawn(process.execPath, [fixtureJs, ...wantFixtures], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  Object.assign(ports, await new Promise((resolve) => {
    const found = {};
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [n, p] = line.split(' ');
      found[n] = { port: Number(p) };
      if (Object.keys(found).length === wantFixtures.length) resolve(found);
    });
  }));
}
let eximVersion = '';
let postfixVersion = '';
if (names.some((n) => POSTFIX.includes(n))) {
  const pf = await jsonChild(['fixtures/postfix/start.mjs', '--stdin']);
  postfixVersion = pf.version;
  ports['postfix-good'] = { port: pf.ports.good };
  ports['postfix-tls13'] = { port: pf.ports.tls13 };
}
if (names.some((n) => EXIM.includes(n))) {
  const ex = await jsonChild(['fixtures/exim/start.mjs', '--stdin']);
  eximVersion = ex.version;
  ports['exim-stock'] = { port: ex.ports.stock, reference: ex.ports.free };
  ports['exim-capped'] = { port: ex.ports.capped, reference: ex.ports.free };
}

const VERSION = { 2: 'SSLv2', 3: 'SSLv3', '1.0': 'TLSv1', 1.1: 'TLSv1.1', 1.2: 'TLSv1.2', 1.3: 'TLSv1.3' };
function sslscanSets(xml) {
  const out = {};
  for (const m of xml.matchAll(/<protocol type="\w+" version="([\d.]+)" enabled="1"/g)) out[VERSION[m[1]]] = new Set();
  for (const m of xml.matchAll(/<cipher status="\w+" sslversion="([^"]+)"[^>]* cipher="([^"]+)"/g)) (out[m[1].replace('TLSv1.0', 'TLSv1')] ??= new Set()).add(m[2]);
  return out;
}
function mxprobeSets(r) {
  return Object.fromEntries(r.protocols.filter((p) => p.accepted).map((p) => [p.protocol, new Set(p.ciphers.map((c) => c.name))]));
}
const summary = (sets) => Object.entries(sets).map(([p, s]) => `${p}:${s.size}`).join(' ');
const same = (a, b) => Object.keys(a).sort().join() === Object.keys(b).sort().join() && Object.keys(a).every((p) => a[p].size === b[p].size && [...a[p]].every((c) => b[p].has(c)));

async function timed(cmd, argv, timeout = 180_000) {
  const t = performance.now();
  try {
    const { stdout } = await run(cmd, argv, { timeout, maxBuffer: 64 << 20 });
    return { ms: performance.now() - t, stdout };
  } catch (err) {
    // mxprobe exits 1/2 for WARNING/CRITICAL verdicts: output is still complete.
    if (err.stdout && !err.killed) return { ms: performance.now() - t, stdout: err.stdout };
    return { ms: performance.now() - t, stdout: '', failed: err.killed ? 'timeout' : err.message };
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
// A capped Exim holds a slot 0.5 s after each failed handshake: let the last run's slots free up.
const settle = (name) => (name.startsWith('exim') ? new Promise((r) => setTimeout(r, 1500)) : Promise.resolve());

console.log(`# mxprobe scan vs sslscan, ${runs} runs each, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}${postfixVersion ? `, Postfix ${postfixVersion}` : ''}${eximVersion ? `, Exim ${eximVersion}` : ''}`);
console.log('| server | mxprobe scan (process) | sslscan (process) | mxprobe / sslscan | scan() in-process | connections (adaptive) | quick in-process | quick process | mxprobe sets | sslscan sets | same sets |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const name of names) {
  const { port, reference } = ports[name];
  const dest = `[127.0.0.1]:${port}`;
  const mx = [];
  const ss = [];
  const lib = [];
  const quick = [];
  const quickProc = [];
  let mine;
  let theirs;
  let attempts;
  for (let i = 0; i < runs; i++) {
    await settle(name);
    const a = await timed(process.execPath, [cliJs, 'scan', dest, '--json', '--ehlo', 'bench.test.example', '--servername', 'mx.test.example']);
    mx.push(a.ms);
    if (a.stdout) mine = mxprobeSets(JSON.parse(a.stdout));
    await settle(name);
    const b = await timed('sslscan', ['--starttls-smtp', '--no-colour', '--xml=-', `127.0.0.1:${reference ?? port}`]);
    ss.push(b.ms);
    theirs = sslscanSets(b.stdout);
    await settle(name);
    const t0 = performance.now();
    const r = await scan(dest, { servername: 'mx.test.example', ehlo: 'bench.test.example' });
    lib.push(performance.now() - t0);
    attempts = r.attempts;
    await settle(name);
    const t1 = performance.now();
    await scan(dest, { quick: true, servername: 'mx.test.example', ehlo: 'bench.test.example' });
    quick.push(performance.now() - t1);
    await settle(name);
    const q = await timed(process.execPath, [quickJs, dest]);
    if (!q.stdout) throw new Error(`quick scan process failed: ${q.failed}`);
    quickProc.push(q.ms);
  }
  const ratio = median(mx) / median(ss);
  const conns = `${attempts.connections}${attempts.adaptive ? ` (yes: ${attempts.rateLimited} refused, ${attempts.backoffMs} ms paused)` : ''}`;
  console.log(`| ${name} | ${range(mx)} | ${range(ss)}${reference ? ' (uncapped twin)' : ''} | ${ratio.toFixed(2)}× | ${range(lib)} | ${conns} | ${range(quick)} | ${range(quickProc)} | ${summary(mine)} | ${summary(theirs)} | ${same(mine, theirs) ? 'yes' : 'NO'} |`);
}
if (withTestssl) {
  const name = names.includes('dual') ? 'dual' : names[0];
  const jsonFile = join(dir, 'testssl.json');
  const t = await timed('testssl', ['--starttls', 'smtp', '-p', '-e', '--quiet', '--color', '0', '--warnings', 'off', '--jsonfile', jsonFile, `127.0.0.1:${ports[name].port}`], 300_000);
  let count = '';
  try {
    count = `${JSON.parse(readFileSync(jsonFile, 'utf8')).filter((f) => /^cipher_x/.test(f.id)).length} cipher lines`;
  } catch {}
  console.log(`\ntestssl.sh -p -e on ${name}: ${t.failed ? `${t.failed} after ` : ''}${(t.ms / 1000).toFixed(1)} s ${count}`);
}
for (const c of children) c.stdin.end();
await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))));
rmSync(dir, { recursive: true, force: true });
