// Print the README's option table from src/cli-options.ts, the one list the
// CLI's parser and --help are built from (`node scripts/readme-options.mjs`).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const outfile = join(tmpdir(), `mxprobe-options-${process.pid}.mjs`);
await build({ entryPoints: ['src/cli-options.ts'], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
const { CLI_OPTIONS } = await import(pathToFileURL(outfile).href);
rmSync(outfile, { force: true });
const groups = ['connection', 'tls', 'smtp', 'verdict', 'output', 'run'];
const rows = ['| option | default | what it does |', '|---|---|---|'];
for (const group of groups) {
  for (const o of CLI_OPTIONS.filter((x) => x.group === group)) {
    const flag = `${o.short ? `\`-${o.short}\`, ` : ''}\`--${o.long}${o.arg ? ` ${o.arg}` : ''}\``.replace(/\|/g, '\\|');
    rows.push(`| ${flag} | ${o.default ?? ''} | ${o.description.replace(/\|/g, '\\|')} |`);
  }
}
console.log(rows.join('\n'));
