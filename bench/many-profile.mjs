// Where a list run's client CPU goes: the built CLI under `node --cpu-prof` probing N loopback
// STARTTLS targets (the ECDSA fixture of many-common.mjs), self time grouped by where the code
// lives and the top functions, per probe. Only 127.0.0.x is used.
// Run after `npm run build`:  [CLOSED=1] node bench/many-profile.mjs [targets=3000] [concurrency=50] [extra CLI flags...]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tls from 'node:tls';
import { build } from 'esbuild';
import { fmt, listenMany, makeCert, measure, ROOT, smtpHandler, writeList } from './many-common.mjs';

const TARGETS = Number(process.argv[2] ?? 3000);
const CONCURRENCY = Number(process.argv[3] ?? 50);
const EXTRA = process.argv.slice(4);
const PER_ADDRESS = 100;
const addresses = Array.from({ length: Math.ceil(TARGETS / PER_ADDRESS) }, (_, i) => `127.0.1.${10 + i}`);

const cert = makeCert();
const smtp = smtpHandler(tls.createSecureContext({ key: cert.key, cert: cert.cert }));
// CLOSED=1: closed ports that refuse at once instead of TLS servers (the bulk of a survey).
const targets = process.env.CLOSED
  ? Array.from({ length: TARGETS }, (_, i) => `[127.1.${(i >> 8) & 63}.${i & 255}]:${1000 + Math.floor(i / 16384)}`)
  : (await listenMany(smtp.handle, addresses, PER_ADDRESS)).slice(0, TARGETS).map((s) => `[${s.address}]:${s.port}`);
// An unminified bundle of the working tree (MXPROBE_SRC: another tree), so the profile names
// functions and files; the same esbuild settings as scripts/build.mjs otherwise.
const SRC = process.env.MXPROBE_SRC ?? ROOT;
const bundle = join(mkdtempSync(join(tmpdir(), 'mxprobe-bench-prof-bundle-')), 'cli.cjs');
await build({
  entryPoints: [join(SRC, 'src/cli.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  minify: false, keepNames: true, nodePaths: [join(ROOT, 'node_modules')], supported: { 'dynamic-import': false },
  define: { __MXPROBE_VERSION__: '"profile"' }, logLevel: 'warning',
  alias: { 'strip-ansi': join(ROOT, 'scripts/strip-ansi-once.cjs'), 'string-width': join(ROOT, 'scripts/string-width-once.cjs') },
});
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-bench-prof-'));
const args = ['--level', 'encrypt', '--ehlo', 'bench.example', '--retries', '0', '--no-progress', '--ndjson', '--per-host', String(CONCURRENCY), '--per-host-rate', 'unlimited', '-c', String(CONCURRENCY), ...EXTRA, '-f', writeList('prof.txt', targets)];
const r = await measure(args, { command: [process.execPath, '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', bundle] });
// esbuild marks each module's start with a "// src/file.ts" line: line number → source file.
const markers = readFileSync(bundle, 'utf8').split('\n').flatMap((l, i) => (/^\/\/ \S+\.(ts|c?js|mjs)$/.test(l) ? [[i, l.slice(3).replace(/^.*?\/(src|node_modules)\//, "$1/")]] : []));
const sourceOf = (line) => {
  let file = '?';
  for (const [at, f] of markers) if (at <= line) file = f; else break;
  return file;
};
rmSync(dirname(bundle), { recursive: true, force: true });
console.log(`# ${TARGETS} targets, -c ${CONCURRENCY} ${EXTRA.join(' ')}: ${r.lines} results ${JSON.stringify(r.statuses)}, wall ${fmt(r.wallMs / 1000, 2)} s, CPU ${fmt(r.cpuS, 2)} s = ${fmt((r.cpuS * 1000) / TARGETS, 3)} ms/probe (under the profiler), peak RSS ${fmt(r.maxRssMb, 0)} MB`);

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
rmSync(dir, { recursive: true, force: true });
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const group = (url, fn) => {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'GC';
  if (url.endsWith('/cli.cjs')) return 'mxprobe';
  if (url.includes('node_modules')) return 'dependencies';
  if (/_tls_|tls|crypto/.test(url)) return 'Node TLS/crypto JS';
  if (/net|stream|socket/.test(url)) return 'Node net/streams';
  if (fn === '(program)') return 'native, unattributed';
  if (!url && !fn.startsWith('(')) return 'Node native bindings';
  return 'other Node internals';
};
const self = new Map();
const fns = new Map();
// Inclusive time of the mxprobe functions (a function counted once per sample).
const inclusive = new Map();
profile.samples.forEach((id, i) => {
  const n = byId.get(id);
  const dt = profile.timeDeltas[i] / 1000;
  const g = group(n.callFrame.url, n.callFrame.functionName);
  self.set(g, (self.get(g) ?? 0) + dt);
  const where = n.callFrame.url.endsWith('/cli.cjs') ? sourceOf(n.callFrame.lineNumber) : `${n.callFrame.url.replace(/^.*\/internal\//, 'internal/')}:${n.callFrame.lineNumber + 1}`;
  const k = `${n.callFrame.functionName || '(anonymous)'} ${where}`;
  fns.set(k, (fns.get(k) ?? 0) + dt);
  const seen = new Set();
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const f = byId.get(p).callFrame;
    if (!f.url.endsWith('/cli.cjs')) continue;
    const key = `${f.functionName || '(anonymous)'} ${sourceOf(f.lineNumber)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
  }
});
const busy = [...self].filter(([g]) => g !== 'idle').reduce((a, [, v]) => a + v, 0);
const per = (v) => fmt(v / TARGETS, 3);
console.log(`busy (sampled) ${per(busy)} ms/probe`);
console.log('| where | ms/probe | share of busy |\n|---|---|---|');
for (const [g, v] of [...self].sort((a, b) => b[1] - a[1])) console.log(`| ${g} | ${per(v)} | ${g === 'idle' ? '' : `${fmt((v / busy) * 100, 0)}%`} |`);
console.log('\ntop functions by self time (ms/probe):');
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${per(v)}  ${k}`);
console.log('\nmxprobe functions by inclusive time (ms/probe):');
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${per(v)}  ${k}`);
process.exit(0);
