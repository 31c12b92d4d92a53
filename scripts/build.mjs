// Build: esbuild bundles the CLI entry into one file, because module loading is
// most of a single probe's wall time (DESIGN.md: 1.57x `node -e 0` unbundled,
// 1.17x bundled); tsc emits the library (ESM + .d.ts) for
// `import { probe } from 'mxprobe'` and is the type check: the build fails on a
// type error, after writing what it could.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

rmSync('dist', { recursive: true, force: true });
// tsc first: it also emits an unbundled dist/cli.js, which the bundle then replaces.
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  define: { __MXPROBE_VERSION__: JSON.stringify(version) },
  // commander is CommonJS: give the ESM bundle a require() for its node: built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  // cli-table3's strip-ansi compiles a new RegExp per call: the one-regex copy renders the
  // default table ~5-7 ms faster, same output (bench/README.md, "startup").
  alias: { 'strip-ansi': './scripts/strip-ansi-once.cjs' },
  logLevel: 'warning',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
