// The package as a user gets it: `npm pack`, `npm install -g` of the tarball (into a temp
// prefix, so the machine's global npm is never touched), then the installed `mxprobe`
// command and `import { probe } from 'mxprobe'`.
import { tempDir } from '../../fixtures/temp.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { closedPort, ensureBuilt, local, ROOT, runProcess, SHORT, BUILD_TIMEOUT_MS } from './helpers.js';

const exec = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let tmp: string;
let prefix: string;
let packed: { filename: string; files: { path: string; mode: number; size: number }[] };
let pki: Pki;
let trusted: SmtpFixture;
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

// The node running the tests runs the installed bin too (`#!/usr/bin/env node`).
const env = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  NO_COLOR: undefined,
};

beforeAll(async () => {
  tmp = tempDir('mxprobe-pack-');
  prefix = join(tmp, 'prefix');
  [, pki] = await Promise.all([ensureBuilt(), createPki()]);
  trusted = await startSmtpFixture({ leaf: pki.leaves.good });

  // Another `npm run build` on this machine empties dist/ for a few seconds: a tarball packed
  // then lacks the bundle, so pack again once the build is back (a real omission still fails).
  for (let attempt = 1; ; attempt++) {
    const { stdout } = await exec(npm, ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, env, timeout: 60_000 });
    [packed] = JSON.parse(stdout) as (typeof packed)[];
    const bundle = packed.files.find((f) => f.path === 'dist/cli.cjs');
    if ((bundle && bundle.size > 50_000) || attempt === 3) break;
    await new Promise((r) => setTimeout(r, 2000));
    await ensureBuilt();
  }
  const tarball = join(tmp, packed.filename);
  // Dependencies come from npm's cache when it has them; the registry only otherwise.
  const install = (mode: string) =>
    exec(npm, ['install', '-g', '--prefix', prefix, mode, '--no-audit', '--no-fund', tarball], { cwd: tmp, env, timeout: 90_000 });
  try {
    await install('--prefer-offline');
  } catch {
    await install('--offline');
  }
}, BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await trusted?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('the tarball holds the bin, the bundled CLI and the library with its types', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'bin/mxprobe.js', 'dist/cli.cjs', 'dist/cli.cjs.cache', 'dist/index.js', 'dist/index.d.ts']));
    // one bundled file (DESIGN.md: startup is most of a probe's time), not tsc's per-module output
    expect(packed.files.find((f) => f.path === 'dist/cli.cjs')!.size).toBeGreaterThan(50_000);
    const bin = packed.files.find((f) => f.path === 'bin/mxprobe.js')!;
    expect(bin.mode & 0o111).not.toBe(0);
  });

  it('and nothing of the sources, tests or fixtures', () => {
    const leaked = packed.files.map((f) => f.path).filter((p) => /^(src|test|fixtures|bench|scripts|node_modules)\//.test(p) || p.endsWith('.test.ts'));
    expect(leaked).toEqual([]);
  });
});

describe('npm install -g of the tarball', () => {
  const mxprobe = () => join(prefix, 'bin', 'mxprobe');

  it('installs a mxprobe command that prints the package version', async () => {
    expect(statSync(mxprobe()).isFile()).toBe(true);
    const r = await runProcess(mxprobe(), ['--version'], { cwd: tmp, env });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.trim()).toBe(version);
  });

  it('the installed command probes a fixture', async () => {
    const r = await runProcess(mxprobe(), [...SHORT, '--ca-file', pki.root.path, '--servername', TEST_HOST, '-q', local(trusted.port)], { cwd: tmp, env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^OK \[127\.0\.0\.1\]:\d+ TLSv1\.[23] /);
    expect(r.code).toBe(0);
  });

  it("`import { probe } from 'mxprobe'` works from the installed package", async () => {
    const port = await closedPort();
    const script = `
      import { probe } from 'mxprobe';
      const r = await probe('[127.0.0.1]:${port}', { connectTimeoutMs: 3000 });
      process.stdout.write(JSON.stringify(r.error));
    `;
    // lib/node_modules/mxprobe is found from lib/ by the usual node_modules lookup.
    const r = await runProcess(process.execPath, ['--input-type=module', '-e', script], { cwd: join(prefix, 'lib'), env });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ phase: 'connect', code: 'refused' });
  });
});
