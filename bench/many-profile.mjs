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
import { summarizeProfile } from './many-profile-summary.mjs';

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
console.log(`# ${TARGETS} targets, -c ${CONCURRENCY} ${EXTRA.join(' ')}: ${r.lines} results ${JSON.stringify(r.statuses)}, wall ${fmt(r.wallMs / 1000, 2)} s, CPU ${fmt(r.cpuS, 2)} s = ${fmt((r.cpuS * 1000) / TARGETS, 3)} ms/probe (under the profiler), peak RSS ${fmt(r.maxRssMb, 0)} MB`);
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
console.log(summarizeProfile(join(dir, file), bundle, TARGETS));
rmSync(dir, { recursive: true, force: true });
rmSync(dirname(bundle), { recursive: true, force: true });
process.exit(0);
