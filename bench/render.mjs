#!/usr/bin/env node
// The renderers on the largest input a server or a run can give them, each case in fresh
// processes (bench/render-entry.ts, bundled with the CLI's aliases): the default table of a
// typical probe, the worst case a server can send (7 × 8,000-character EHLO lines, an
// 8,000-character banner and DC attribute), a chain of 200 certificates, the summary of 10,000
// probes, 52,638 baseline changes, 2,000 tls_policy entries with 10,000-character host names.
// Then the whole CLI on a 100 MB baseline (generated NDJSON, 52,638 destinations that vanished
// plus the probed one, changed) against the loopback fixture: wall time and peak RSS from
// /usr/bin/time. Targets (issue "Hostile servers and hostile input"): the worst case in under
// 100 ms, the 100 MB baseline diff in under 10 s and 300 MB.
//   node bench/render.mjs [--runs 9] [--src DIR] [--compare DIR] [--timeout 120] [--skip-render] [--skip-baseline]
// --src DIR: the source tree whose renderers run (default: this one); --compare DIR: a second
// tree (say, a checkout of main) measured the same way, with its own built CLI for the baseline
// run if DIR/dist exists. A case that runs past --timeout seconds is reported as such.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT, machine, median, snapshotBuild, startFixture, stopAll } from './single-common.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const RUNS = Number(opt('runs', '9'));
const TIMEOUT_S = Number(opt('timeout', '120'));
const trees = [['this tree', opt('src', ROOT)], ...(opt('compare') ? [['compare', opt('compare')]] : [])];
const CASES = args.includes('--skip-render') ? [] : ['table', 'worst', 'chain', 'summary', 'changes', 'policy'];
const CACHE = join(ROOT, 'node_modules/.cache/mxprobe-bench-render');
mkdirSync(CACHE, { recursive: true });

const before = machine();
const lines = [`# render: fresh process per run, median of ${RUNS}; ${before.date} node ${before.node}, load ${before.load}`];

for (const [label, src] of trees) {
  const out = join(CACHE, `${label.replace(/\W/g, '-')}.cjs`);
  await build({
    stdin: { contents: readFileSync(join(ROOT, 'bench/render-entry.ts'), 'utf8').replaceAll("'../src/", `'${join(src, 'src')}/`), resolveDir: src, sourcefile: 'render-entry.ts', loader: 'ts' },
    outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'warning', nodePaths: [join(ROOT, 'node_modules')],
    alias: { 'strip-ansi': join(src, 'scripts/strip-ansi-once.cjs'), 'string-width': join(src, 'scripts/string-width-once.cjs') },
  });
  for (const name of CASES) {
    const first = [];
    const second = [];
    let bytes = 0;
    let timedOut = false;
    for (let i = 0; i < RUNS && !timedOut; i++) {
      const r = spawnSync(process.execPath, [out, name], { encoding: 'utf8', timeout: TIMEOUT_S * 1000, killSignal: 'SIGKILL' });
      if (r.status !== 0) {
        timedOut = r.signal === 'SIGKILL';
        if (!timedOut) throw new Error(`${label} ${name}: ${r.stderr}`);
        break;
      }
      const o = JSON.parse(r.stdout);
      first.push(o.first);
      second.push(o.second);
      bytes = o.bytes;
    }
    lines.push(timedOut
      ? `[${label}] ${name.padEnd(8)} still running after ${TIMEOUT_S} s (killed)`
      : `[${label}] ${name.padEnd(8)} first ${median(first).toFixed(1)} ms, again ${median(second).toFixed(1)} ms, ${(bytes / 1024).toFixed(0)} kB out`);
    console.log(lines.at(-1));
  }
}

if (!args.includes('--skip-baseline')) {
  // A baseline of at least 100 MB and 52,638 destinations this run does not probe (one
  // "destination-removed" row each, the issue's case), plus the probed one (other facts: a few changes).
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-bench-render-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  process.once('SIGINT', () => process.exit(130)); // so the exit handler above still removes it
  const fixture = await startFixture();
  try {
    const file = join(dir, 'baseline.ndjson');
    const target = `[127.0.0.1]:${fixture.ports.starttls}`;
    const record = (destination, i) => JSON.stringify({
      schemaVersion: 3, destination, nexthop: destination, mx: null, host: `mx${i}.example.net`, address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 25,
      mode: 'starttls', level: 'verify', status: 'ok', findings: [], error: null,
      smtp: {
        banner: { code: 220, text: `mx${i}.example.net ESMTP Postfix (Debian/GNU)` }, ehlo: ['PIPELINING', 'SIZE 10240000', 'STARTTLS', '8BITMIME'],
        starttls: { offered: true, reply: { code: 220, enhanced: '2.0.0', text: 'Ready to start TLS' } }, ehloTls: ['PIPELINING', 'SIZE 10240000', 'AUTH PLAIN LOGIN', '8BITMIME'],
        replies: [{ command: 'EHLO bench.example', code: 250, enhanced: null, text: `mx${i}.example.net\nPIPELINING\nSIZE 10240000\nSTARTTLS\n8BITMIME` }, { command: 'QUIT', code: 221, enhanced: '2.0.0', text: 'Bye' }],
      },
      tls: { protocol: 'TLSv1.2', cipher: { name: 'ECDHE-RSA-AES256-GCM-SHA384', standardName: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', bits: 256 }, keyExchange: { type: 'ECDH', group: 'X25519', bits: 253 }, servername: `mx${i}.example.net`, alpn: null, sessionReused: false },
      certificates: [0].map((k) => ({ subject: `CN=mx${i}.example.net`, issuer: "C=US\nO=Let's Encrypt\nCN=R11", serial: '04A1B2C3D4E5F60718293A4B5C6D7E8F9012', san: { dns: [`mx${i}.example.net`], ip: [] }, notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2025-04-01T23:59:59.000Z', daysRemaining: 61, key: { type: 'RSA', bits: 2048, curve: null }, signatureAlgorithm: 'sha256WithRSAEncryption', sha256: Array.from({ length: 32 }, (_, b) => ((i + b + k) & 255).toString(16).padStart(2, '0').toUpperCase()).join(':'), spkiSha256: Array.from({ length: 32 }, (_, b) => ((i * 7 + b + k) & 255).toString(16).padStart(2, '0').toUpperCase()).join(':'), isCA: k === 1, selfSigned: false })),
      verification: { trusted: true, error: null, hostnameMatch: true, matchedName: `mx${i}.example.net`, checkedNames: [`mx${i}.example.net`], fingerprintMatch: null },
      timingMs: { resolve: 3, connect: 1, banner: 12, ehlo: 2, starttls: 1, handshake: 9, total: 142 },
    });
    const stream = createWriteStream(file);
    stream.write(`${record(target, 0).replace('"host":"mx0.example.net","address":"10.0.0.0","port":25', `"host":"127.0.0.1","address":"127.0.0.1","port":${fixture.ports.starttls}`)}\n`);
    let written = 0;
    let n = 0;
    while (written < 100e6 || n < 52_638) {
      const line = `${record(`d${n}.example`, ++n)}\n`;
      written += line.length;
      if (!stream.write(line)) await new Promise((r) => stream.once('drain', r));
    }
    await new Promise((r) => stream.end(r));
    const size = statSync(file).size;
    lines.push(`# baseline: ${(size / 1e6).toFixed(1)} MB, ${n + 1} records (${n} destinations not probed this time)`);
    console.log(lines.at(-1));
    const clis = [['this tree', snapshotBuild('render')], ...trees.slice(1).filter(([, d]) => existsSync(join(d, 'dist/cli.cjs')))];
    for (const [label, cliDir] of clis) {
      const timeFile = join(dir, 'time.txt');
      const outFile = join(dir, 'out.txt');
      const started = Date.now();
      const r = spawnSync('sh', ['-c', `/usr/bin/time -f '%e %M' -o ${timeFile} ${process.execPath} ${join(cliDir, 'bin/mxprobe.js')} --baseline ${file} --ca-file ${fixture.caFile} --servername mx.test.example ${target} > ${outFile}`],
        { timeout: TIMEOUT_S * 1000 * 3, killSignal: 'SIGKILL' });
      const wall = (Date.now() - started) / 1000;
      if (r.signal) {
        lines.push(`[${label}] 100 MB baseline diff: still running after ${wall.toFixed(0)} s (killed)`);
      } else {
        const [elapsed, maxKb] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
        const outLines = readFileSync(outFile, 'utf8').split('\n').length;
        lines.push(`[${label}] 100 MB baseline diff: ${elapsed.toFixed(2)} s, peak RSS ${(maxKb / 1024).toFixed(0)} MB, ${outLines} lines out (exit ${r.status})`);
      }
      console.log(lines.at(-1));
    }
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

const after = machine();
lines.push(`# load after ${after.load}`);
// Kept beside the bundles: this script writes nothing outside node_modules/.cache but the temp
// directory it removes.
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultFile = join(CACHE, `render-${stamp}.txt`);
writeFileSync(resultFile, `${lines.join('\n')}\n`);
console.log(`${lines.at(-1)}\n# written to ${resultFile}`);
