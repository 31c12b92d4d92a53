// Write dist/mxprobe.1 from the option table (src/manpage.ts), bundled on the fly like
// scripts/readme-options.mjs, so the man page can never drift from the parser.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const outfile = join(tmpdir(), `mxprobe-man-${process.pid}.mjs`);
await build({ entryPoints: ['src/manpage.ts'], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
try {
  const { manPage } = await import(pathToFileURL(outfile).href);
  writeFileSync(process.argv[2] ?? 'dist/mxprobe.1', manPage(version));
} finally {
  rmSync(outfile, { force: true });
}
