// Regenerate the option tables of docs/*.md (and README.md) from src/cli-options.ts, the one
// list the CLI's parser, --help and the man page are built from. Each table sits between
// `<!-- options:COMMAND -->` and `<!-- /options:COMMAND -->` (src/option-docs.ts).
//   node scripts/readme-options.mjs           rewrite the files whose tables drifted
//   node scripts/readme-options.mjs --check   list them and exit 1 instead (test/docs.test.ts does the same)
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const outfile = join(tmpdir(), `mxprobe-options-${process.pid}.mjs`);
await build({ entryPoints: ['src/option-docs.ts'], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
let fillOptionTables;
try {
  ({ fillOptionTables } = await import(pathToFileURL(outfile).href));
} finally {
  rmSync(outfile, { force: true });
}
const check = process.argv.includes('--check');
const files = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
const drifted = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const filled = fillOptionTables(text);
  if (filled === text) continue;
  drifted.push(file);
  if (!check) writeFileSync(file, filled);
}
if (check && drifted.length) {
  console.error(`option tables out of date (node scripts/readme-options.mjs): ${drifted.join(', ')}`);
  process.exit(1);
}
console.log(drifted.length ? `${check ? 'out of date' : 'regenerated'}: ${drifted.join(', ')}` : 'option tables up to date');
