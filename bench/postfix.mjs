#!/usr/bin/env node
// mxprobe postfix (checkPostfix of an instance with three listeners) against one scan of one
// of them: the target is the whole check within 2x the scan. Needs root and postfix (the
// private instance of fixtures/postfix). Bundles bench/postfix-run.ts with esbuild (Node 20
// has no TS loader) and prints a Markdown table.
//   node bench/postfix.mjs [--runs 7]
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 7);
// Bundled under node_modules/.cache so its bare imports resolve from the project.
const outfile = join('node_modules', '.cache', 'mxprobe-bench-postfix', `run-${process.pid}.mjs`);
await build({ entryPoints: ['bench/postfix-run.ts'], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
try {
  const { stdout } = await promisify(execFile)(process.execPath, [outfile, String(runs)], { timeout: 600_000 });
  const r = JSON.parse(stdout.trim().split('\n').pop());
  const ms = (x) => `${Math.round(x)} ms`;
  console.log(`# mxprobe postfix vs scan, Postfix ${r.version}, ${r.runs} runs each, ${cpus().length} CPUs, load ${load}, node ${process.version}`);
  console.log('| what | median | min–max | connections |');
  console.log('|---|---|---|---|');
  console.log(`| checkPostfix, 3 listeners (${r.status}) | ${ms(r.check.median)} | ${ms(r.check.min)}–${ms(r.check.max)} | ${r.connections.check} |`);
  console.log(`| scan of one listener | ${ms(r.scan.median)} | ${ms(r.scan.min)}–${ms(r.scan.max)} | ${r.connections.scan} |`);
  console.log(`| checkPostfix offline (config + files) | ${ms(r.offline.median)} | | 0 |`);
  console.log(`\nratio check/scan: ${(r.check.median / r.scan.median).toFixed(2)}× (target <= 2×); check parts (median): postconf ${ms(r.parts.config)}, files ${ms(r.parts.files)}, probes ${ms(r.parts.probe)}`);
} finally {
  rmSync(outfile, { force: true });
}
