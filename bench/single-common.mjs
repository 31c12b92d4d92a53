// Shared by the single-probe benchmarks (startup.mjs, relay.mjs, inprocess.mjs): start the fast
// loopback fixture (single-fixture.ts, bundled with esbuild) and the private Postfix
// (fixtures/postfix/start.mjs) as child processes, snapshot the built CLI, and stop everything.
// Only 127.0.0.1 is ever used.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadavg } from 'node:os';
import { build } from 'esbuild';

export const ROOT = new URL('..', import.meta.url).pathname;
const CACHE = join(ROOT, 'node_modules', '.cache', 'mxprobe-bench-single');
const children = new Set();

/** Starts `node file args`, resolves with its first stdout line parsed as JSON. */
function startJsonChild(file, args = []) {
  const child = spawn(process.execPath, [file, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited ${code} before its JSON line`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}

/** The fast raw STARTTLS + implicit TLS 1.3 fixture: { ports: {starttls, implicit}, caFile, servername }. */
export async function startFixture() {
  mkdirSync(CACHE, { recursive: true });
  const out = join(CACHE, 'single-fixture.mjs');
  await build({ entryPoints: [join(ROOT, 'bench/single-fixture.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  return startJsonChild(out);
}

/** The private Postfix: { ports: {good, tls13, tls12, implicit, ...}, caFile, servername, version }. */
export function startPostfix() {
  return startJsonChild(join(ROOT, 'fixtures/postfix/start.mjs'));
}

/**
 * A private build of the working tree, made by scripts/build.mjs itself in a copy under
 * node_modules/.cache (so dist/index.js resolves its deps): others on this machine run
 * `npm run build`, which starts with rm -rf dist, so copying dist/ can catch a half-built state. Returns the directory
 * holding bin/mxprobe.js and dist/.
 */
export function snapshotBuild(name = 'snapshot') {
  const dir = join(CACHE, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of ['src', 'scripts', 'bin', 'tsconfig.json', 'package.json']) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  try {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    // tsc type errors (someone's edit in progress) still leave the bundle and the library.
    if (!['cli.cjs', 'index.js'].every((f) => existsSync(join(dir, 'dist', f)))) throw e;
    process.stderr.write(`snapshotBuild: build reported errors, using what it wrote\n`);
  }
  return dir;
}

/** SIGTERM every child started here (Postfix's start.mjs then stops Postfix and cleans up). */
export async function stopAll() {
  await Promise.all([...children].map((c) => new Promise((resolve) => {
    c.once('exit', resolve);
    c.kill('SIGTERM');
  })));
}

/** Runs a command without blocking the event loop (the relay may live in this process). */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function machine() {
  const uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
  return { date: new Date().toISOString(), node: process.version, load: loadavg().map((l) => l.toFixed(2)).join(' '), uptime };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
