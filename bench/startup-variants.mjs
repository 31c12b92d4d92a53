#!/usr/bin/env node
// Experiments for the startup ratio: the CLI bundled other ways, each timed per phase by
// bench/phases.mjs next to the shipped build and the floor client (same run, interleaved).
//   esm-min    the shipped ESM bundle, minified
//   lazy       src/cli.ts with the policy/scan/tlsa subcommands behind import(), esbuild splitting
//   cjs-min    a minified CommonJS bundle
//   v8cache    cjs-min run through vm.Script with V8 code cache (made by one `--version` run
//              at build time; Node 20 has no module.enableCompileCache)
// Nothing here changes src/ or dist/: variants are written under node_modules/.cache.
//   node bench/startup-variants.mjs [--runs 20]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './single-common.mjs';

const OUT = join(ROOT, 'node_modules/.cache/mxprobe-bench-single/variants');
rmSync(OUT, { recursive: true, force: true });
const esmBanner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };
const base = { entryPoints: [join(ROOT, 'src/cli.ts')], bundle: true, platform: 'node', target: 'node20', legalComments: 'none', logLevel: 'warning',
  alias: { 'strip-ansi': join(ROOT, 'scripts/strip-ansi-once.cjs') } };

await build({ ...base, format: 'esm', banner: esmBanner, minify: true, outfile: join(OUT, 'esm-min/cli.js') });
await build({ ...base, format: 'cjs', minify: true, outfile: join(OUT, 'cjs-min/cli.cjs') });

// lazy: the three subcommands loaded on use (scan's option parsers moved out of scan/command.ts).
const lazyPlugin = {
  name: 'lazy-subcommands',
  setup(b) {
    b.onResolve({ filter: /^\.\/scan\/options\.js$/ }, () => ({ path: 'scan-options', namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      resolveDir: join(ROOT, 'src/scan'), loader: 'ts',
      contents: `import { UsageError } from '../errors.js'; import { parseIntIn } from '../cli-options.js'; import { SCAN_PROFILES } from './profiles/index.js';
        export function parseProfile(value: string) { const v = value.toLowerCase(); if (!(SCAN_PROFILES as readonly string[]).includes(v)) throw new UsageError(\`--profile: '\${value}' is not one of \${SCAN_PROFILES.join(', ')}\`); return v as any; }
        export const parsePerHost = parseIntIn('--per-host', 1, 64);`,
    }));
    b.onLoad({ filter: /src[\\/]cli\.ts$/ }, (a) => {
      let s = readFileSync(a.path, 'utf8');
      const swaps = [
        ["import { runPolicyCommand } from './policy-command.js';\n", ''],
        ["import { runTlsaCommand, tlsaOwner } from './tlsa-command.js';\n", ''],
        ["import { parseProfile, runScanCommand, parsePerHost } from './scan/command.js';\n", "import { parseProfile, parsePerHost } from './scan/options.js';\n"],
        ['process.exitCode = await runPolicyCommand(', "const { runPolicyCommand } = await import('./policy-command.js');\n    process.exitCode = await runPolicyCommand("],
        ['process.exitCode = await runScanCommand(', "const { runScanCommand } = await import('./scan/command.js');\n    process.exitCode = await runScanCommand("],
        ['.action((_local: Values, command: Command) => {', ".action(async (_local: Values, command: Command) => {\n      const { runTlsaCommand, tlsaOwner } = await import('./tlsa-command.js');"],
      ];
      for (const [from, to] of swaps) {
        if (!s.includes(from)) throw new Error(`src/cli.ts changed: cannot apply ${JSON.stringify(from.slice(0, 40))}`);
        s = s.replace(from, to);
      }
      return { contents: s, loader: 'ts' };
    });
  },
};
await build({ ...base, format: 'esm', banner: esmBanner, splitting: true, outdir: join(OUT, 'lazy'), plugins: [lazyPlugin] });

// v8cache: a loader that compiles the CommonJS bundle with V8's code cache.
mkdirSync(join(OUT, 'v8cache'), { recursive: true });
writeFileSync(join(OUT, 'v8cache/cli.cjs'), readFileSync(join(OUT, 'cjs-min/cli.cjs')));
writeFileSync(join(OUT, 'v8cache/run.cjs'), `'use strict';
const vm = require('node:vm'); const fs = require('node:fs'); const Module = require('node:module');
const file = __dirname + '/cli.cjs'; const cacheFile = file + '.v8cache';
let cachedData; try { cachedData = fs.readFileSync(cacheFile); } catch {}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
if (process.env.MXPROBE_WRITE_V8CACHE) process.on('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
const m = { exports: {} };
script.runInThisContext()(m.exports, Module.createRequire(file), m, file, __dirname);
`);
execFileSync(process.execPath, [join(OUT, 'v8cache/run.cjs'), '--version'], { env: { ...process.env, MXPROBE_WRITE_V8CACHE: '1' }, stdio: 'ignore' });

const extras = [['esm-min', 'esm-min/cli.js'], ['lazy', 'lazy/cli.js'], ['cjs-min', 'cjs-min/cli.cjs'], ['v8cache', 'v8cache/run.cjs']]
  .flatMap(([label, file]) => ['--extra', `${label}=node ${join(OUT, file)}`]);
const runs = process.argv.includes('--runs') ? process.argv[process.argv.indexOf('--runs') + 1] : '20';
execFileSync(process.execPath, [join(ROOT, 'bench/phases.mjs'), '--runs', runs, ...extras], { stdio: 'inherit' });
