// Running the built CLI as a child process. The build is checked once per test file
// (rebuilt under a lock when src/ is newer than dist/), then bin/ + dist/ are
// copied to a private directory: `npm run build` starts with `rm -rf dist`, and another
// run on this machine must not pull the file out from under a test half-way through.
import { spawn, execFile, type SpawnOptions } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Deadlines for every probe a test starts: a broken server costs seconds, never a hang. */
export const SHORT = ['--timeout', '3s', '--banner-timeout', '3s', '--connect-timeout', '3s', '--tls-timeout', '3s', '--deadline', '15s'];

/** A child that outlives this is killed and the test fails on the result. */
const KILL_AFTER_MS = 25_000;

export const ANSI = /\x1b\[/;
/** A Node stack frame as printed in an uncaught error. */
export const STACK = /^\s+at /m;

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

function distIsFresh(): boolean {
  try {
    const cli = statSync(join(ROOT, 'dist/cli.cjs'));
    statSync(join(ROOT, 'dist/index.js'));
    statSync(join(ROOT, 'dist/index.d.ts'));
    // The code cache is written last, by the build's training run: without it the build is not done.
    statSync(join(ROOT, 'dist/cli.cjs.cache'));
    if (cli.size < 50_000) return false;
    const sources = ['src', 'bin', 'scripts/build.mjs', 'package.json'].map((p) => newestMtime(join(ROOT, p)));
    return cli.mtimeMs >= Math.max(...sources);
  } catch {
    return false;
  }
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), 'mxprobe-cli-test-build.lock');
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than a build can take is left over from a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch { /* gone meanwhile */ }
      if (Date.now() - started > 120_000) throw new Error(`build lock ${lock} held for 2 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** For a beforeAll that builds: up to three builds on a loaded machine, over vitest's 60 s default. */
export const BUILD_TIMEOUT_MS = 240_000;

/** Builds dist/ if it is missing or older than src/ (one build at a time across test files). */
export async function ensureBuilt(): Promise<void> {
  if (distIsFresh()) return;
  await withLock(async () => {
    // Another engineer's `npm run build` may be emptying dist/ at the same time (ENOTEMPTY):
    // wait and look again before calling the build broken.
    let failure = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      if (distIsFresh()) return;
      try {
        await run(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, timeout: 120_000 });
        return; // (src/ may have changed again meanwhile: this build is as fresh as it gets)
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        failure = `${e.stdout ?? ''}${e.stderr ?? e.message}`;
      }
      await new Promise((r) => setTimeout(r, 3000));
    }
    if (!distIsFresh()) throw new Error(`npm run build failed:\n${failure}`);
  });
}

export interface Cli {
  /** The snapshot's bin/mxprobe.js. */
  bin: string;
  /** The snapshot: bin/, dist/, node_modules (a link to the repository's). */
  dir: string;
  cleanup(): void;
}

/**
 * Builds if needed and copies the built package (bin shim, dist/) to a private directory,
 * node_modules linked, so the library can be imported from there too.
 */
export async function builtCli(): Promise<Cli> {
  let lastError: unknown;
  // A copy taken while another build was emptying or writing dist/ is retried.
  for (let attempt = 0; attempt < 3; attempt++) {
    await ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'mxprobe-cli-'));
    try {
      mkdirSync(join(dir, 'bin'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      copyFileSync(join(ROOT, 'bin/mxprobe.js'), join(dir, 'bin/mxprobe.js'));
      cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const bin = join(dir, 'bin/mxprobe.js');
      const v = await runCli(bin, ['--version']);
      if (v.code !== 0) throw new Error(`built CLI does not start: ${v.stderr}`);
      const lib = await runProcess(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(dir, 'dist/index.js'))})`]);
      if (lib.code !== 0) throw new Error(`built library does not load: ${lib.stderr}`);
      return { bin, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    } catch (err) {
      lastError = err;
      rmSync(dir, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  throw lastError;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Runs `node bin args`, stdin closed (or fed `input`), stdout and stderr as pipes. */
export function runCli(bin: string, args: string[], o: RunOptions = {}): Promise<CliRun> {
  return runProcess(process.execPath, [bin, ...args], o);
}

export function runProcess(command: string, args: string[], o: RunOptions = {}): Promise<CliRun> {
  // NO_COLOR/FORCE_COLOR from the developer's shell must not decide a test.
  const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, MXPROBE_DEBUG: undefined, ...o.env };
  const opts: SpawnOptions = { cwd: o.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.on('error', (err) => {
      clearTimeout(killer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin!.on('error', () => {}); // the CLI may exit before reading its input
    child.stdin!.end(o.input ?? '');
  });
}

/** `[127.0.0.1]:PORT` */
export const local = (port: number) => `[127.0.0.1]:${port}`;

/** A port nothing listens on, outside the ephemeral range (fixtures/closed-port.ts says why). */
export { closedPort } from '../../fixtures/closed-port.js';
