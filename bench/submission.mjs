#!/usr/bin/env node
// Submission walk speed (STARTTLS, AUTH, MAIL, RCPT, QUIT) through the latency relay, in RTT,
// next to the TLS-only probe of the same Postfix + Dovecot. In process, so CLI start-up is not
// in the figures (relay.mjs measures that). Needs root (private Postfix and Dovecot).
//   node bench/submission.mjs [--rtt 200] [--runs 5]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT, machine } from './single-common.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const RTT = opt('--rtt', '200');
const RUNS = opt('--runs', '5');
const out = join(ROOT, 'node_modules/.cache/mxprobe-bench-single/submission-run.mjs');
await build({ entryPoints: [join(ROOT, 'bench/submission-run.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
const run = spawnSync(process.execPath, [out], { cwd: ROOT, env: { ...process.env, RTT, RUNS }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (run.status !== 0) process.exit(run.status ?? 1);
const result = JSON.parse(run.stdout.trim().split('\n').at(-1));
const base = result.rows[0].rtt;
const m = machine();
const lines = [
  `# submission walk through the relay: RTT ${result.rtt} ms, banner at 2 RTT, median of ${result.runs} in-process probes; ${m.date} node ${m.node}, Postfix ${result.postfix}, load ${m.load}`,
  '| probe | wall ms | RTT | RTT over TLS-only | commands |',
  '|---|---|---|---|---|',
  ...result.rows.map((r) => `| ${r.name} | ${r.wallMs.toFixed(0)} | ${r.rtt.toFixed(2)} | ${(r.rtt - base).toFixed(2)} | ${r.commands} |`),
];
console.log(lines.join('\n'));
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, `bench/results/submission-${m.date.replace(/[:.]/g, '-')}.md`), `${lines.join('\n')}\n`);
