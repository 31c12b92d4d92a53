#!/usr/bin/env node
// mxprobe scan vs sslscan --starttls-smtp (and testssl.sh once, if it finishes within its budget)
// on the same loopback fixtures, in one run: wall times (median of N) and whether the accepted
// protocol/cipher sets are the same. Runs the CLI bundled as scripts/build.mjs bundles it.
//   node bench/scan.mjs [--runs 5] [--testssl] [--dist] [fixture...]
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { snapshotBuild } from './single-common.mjs';

const run = promisify(execFile);
const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5);
const withTestssl = args.includes('--testssl');
const fixtures = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const names = fixtures.length ? fixtures : ['weak', 'dual', 'tls13Only', 'smtp-server'];

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-bench-scan-'));
// Bundled under node_modules/.cache so its bare imports (smtp-server) resolve from the project.
const fixtureJs = join('node_modules', '.cache', 'mxprobe-bench-scan', 'fixture.mjs');
await build({ entryPoints: ['bench/scan-fixture.ts'], outfile: fixtureJs, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
// The CLI as shipped (bin/mxprobe.js + dist/cli.cjs + its code cache), from a private build of
// the working tree (snapshotBuild: dist/ is rebuilt with rm -rf by anyone running npm run build
// on this shared machine). --dist uses this checkout's bin/ and dist/.
const cliJs = args.includes('--dist') ? 'bin/mxprobe.js' : join(snapshotBuild('scan'), 'bin/mxprobe.js');
const child = spawn(process.execPath, [fixtureJs, ...names], { stdio: ['pipe', 'pipe', 'inherit'] });
const ports = await new Promise((resolve) => {
  const found = {};
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    for (const line of buf.split('\n').slice(0, -1)) {
      const [n, p] = line.split(' ');
      found[n] = Number(p);
    }
    if (Object.keys(found).length === names.length) resolve(found);
  });
});

const VERSION = { 2: 'SSLv2', 3: 'SSLv3', '1.0': 'TLSv1', 1.1: 'TLSv1.1', 1.2: 'TLSv1.2', 1.3: 'TLSv1.3' };
function sslscanSets(xml) {
  const out = {};
  for (const m of xml.matchAll(/<protocol type="\w+" version="([\d.]+)" enabled="1"/g)) out[VERSION[m[1]]] = new Set();
  for (const m of xml.matchAll(/<cipher status="\w+" sslversion="([^"]+)"[^>]* cipher="([^"]+)"/g)) (out[m[1].replace('TLSv1.0', 'TLSv1')] ??= new Set()).add(m[2]);
  return out;
}
function mxprobeSets(json) {
  const r = JSON.parse(json);
  return Object.fromEntries(r.protocols.filter((p) => p.accepted).map((p) => [p.protocol, new Set(p.ciphers.map((c) => c.name))]));
}
const summary = (sets) => Object.entries(sets).map(([p, s]) => `${p}:${s.size}`).join(' ');
const same = (a, b) => Object.keys(a).sort().join() === Object.keys(b).sort().join() && Object.keys(a).every((p) => a[p].size === b[p].size && [...a[p]].every((c) => b[p].has(c)));

async function timed(cmd, argv, timeout = 120_000) {
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

console.log(`# mxprobe scan vs sslscan, ${runs} runs each, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
console.log('| fixture | mxprobe scan (median) | sslscan (median) | ratio | mxprobe sets | sslscan sets | same sets |');
console.log('|---|---|---|---|---|---|---|');
for (const name of names) {
  const port = ports[name];
  const mx = [];
  const ss = [];
  let mine;
  let theirs;
  for (let i = 0; i < runs; i++) {
    const a = await timed(process.execPath, [cliJs, 'scan', `[127.0.0.1]:${port}`, '--json', '--ehlo', 'bench.test.example', '--servername', 'mx.test.example']);
    mx.push(a.ms);
    mine = mxprobeSets(a.stdout);
    const b = await timed('sslscan', ['--starttls-smtp', '--no-colour', '--xml=-', `127.0.0.1:${port}`]);
    ss.push(b.ms);
    theirs = sslscanSets(b.stdout);
  }
  const m = median(mx);
  const s = median(ss);
  console.log(`| ${name} | ${m.toFixed(0)} ms (${Math.min(...mx).toFixed(0)}–${Math.max(...mx).toFixed(0)}) | ${s.toFixed(0)} ms (${Math.min(...ss).toFixed(0)}–${Math.max(...ss).toFixed(0)}) | ${(s / m).toFixed(1)}× | ${summary(mine)} | ${summary(theirs)} | ${same(mine, theirs) ? 'yes' : 'NO'} |`);
}
if (withTestssl) {
  const name = names.includes('dual') ? 'dual' : names[0];
  const jsonFile = join(dir, 'testssl.json');
  const t = await timed('testssl', ['--starttls', 'smtp', '-p', '-e', '--quiet', '--color', '0', '--warnings', 'off', '--jsonfile', jsonFile, `127.0.0.1:${ports[name]}`], 300_000);
  let count = '';
  try {
    count = `${JSON.parse(readFileSync(jsonFile, 'utf8')).filter((f) => /^cipher_x/.test(f.id)).length} cipher lines`;
  } catch {}
  console.log(`\ntestssl.sh -p -e on ${name}: ${t.failed ? `${t.failed} after ` : ''}${(t.ms / 1000).toFixed(1)} s ${count}`);
}
child.stdin.end();
rmSync(dir, { recursive: true, force: true });
