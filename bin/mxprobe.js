#!/usr/bin/env node
// The mxprobe command: run the bundled CLI (dist/cli.cjs, one CommonJS file) through V8's
// code cache made at build time (dist/cli.cjs.cache). Compiling the bundle is most of our
// startup: with the cache, time to the first connect() drops from ~46 to ~28 ms on the
// build machine (bench/README.md). A cache from another Node/V8 is rejected by V8 and the
// bundle is compiled as usual: same behaviour, only slower.
import { readFileSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // no cache: compile as usual
}
const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
// The build's training run writes the cache after a real probe, so it holds the functions a
// probe compiles, not only the top level.
if (process.env.MXPROBE_WRITE_CODE_CACHE === '1') process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
