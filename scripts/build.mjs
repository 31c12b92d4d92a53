// Build: esbuild bundles the CLI entry into one CommonJS file, dist/cli.cjs, because
// module loading is most of a single probe's wall time (DESIGN.md: 1.57x `node -e 0`
// unbundled, 1.17x bundled), and a training run stores V8's code cache for it
// (dist/cli.cjs.cache, used by bin/mxprobe.js). tsc emits the library (ESM + .d.ts) for
// `import { probe } from 'mxprobe'` and is the type check: the build fails on a type
// error, after writing what it could.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

rmSync('dist', { recursive: true, force: true });
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
// tsc's per-module cli.js would run the CLI when imported; the command is dist/cli.cjs.
for (const f of ['dist/cli.js', 'dist/cli.d.ts']) rmSync(f, { force: true });
await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'none',
  minify: true,
  // The bundle runs through vm.Script (bin/mxprobe.js), which has no dynamic import():
  // lazy built-ins become a require() on first use.
  supported: { 'dynamic-import': false },
  define: { __MXPROBE_VERSION__: JSON.stringify(version) },
  // cli-table3's strip-ansi compiles a new RegExp per call: the one-regex copy renders the
  // default table ~5-7 ms faster, same output (bench/README.md, "startup").
  // string-width likewise rebuilds emoji-regex's pattern per call (same widths, compiled once).
  alias: { 'strip-ansi': './scripts/strip-ansi-once.cjs', 'string-width': './scripts/string-width-once.cjs' },
  logLevel: 'warning',
});

// The man page, from the option table (package.json "man").
spawnSync(process.execPath, ['scripts/man.mjs', 'dist/mxprobe.1'], { stdio: 'inherit' });

// Training run for the code cache: one probe of a closed loopback port with table output
// compiles what a real probe compiles (options, connect, verdict, table).
const closedPort = await new Promise((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
spawnSync(process.execPath, ['bin/mxprobe.js', '--retries', '0', '--connect-timeout', '2s', `[127.0.0.1]:${closedPort}`], {
  env: { ...process.env, MXPROBE_WRITE_CODE_CACHE: '1', NO_COLOR: '1' },
  stdio: 'ignore',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
