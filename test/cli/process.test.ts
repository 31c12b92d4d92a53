// The CLI as a process among others: a reader that goes away (`| head -1`), Ctrl-C in the
// middle of a run, and the library that must not touch the process it is imported into.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultyScripts } from '../../fixtures/faulty-servers.js';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { startRawServer, type RawServer } from '../../fixtures/raw-server.js';
import { startSmtpFixture, type SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { probe } from '../../src/index.js';
import { builtCli, closedPort, local, ROOT, runProcess, SHORT, STACK, type Cli } from './helpers.js';

let cli: Cli;
let pki: Pki;
let trusted: SmtpFixture;
let silent: RawServer;
let refused: number;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  trusted = await startSmtpFixture({ leaf: pki.leaves.good });
  silent = await startRawServer(faultyScripts({ key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem }).silent);
  refused = await closedPort();
});

afterAll(async () => {
  await Promise.all([trusted, silent].map((s) => s?.close()));
  cli?.cleanup();
});

interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with stdout piped; `onStdout` sees each chunk and may act on the child
 * (close our end of the pipe, send a signal). SIGKILL after 25 s so a hang fails, not stalls.
 */
function spawnCli(args: string[], onStdout: (chunk: string, child: ReturnType<typeof spawn>) => void): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli.bin, ...SHORT, '--ca-file', pki.root.path, '--servername', TEST_HOST, ...args], {
      cwd: ROOT, env: { ...process.env, NO_COLOR: undefined, MXPROBE_DEBUG: undefined }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      onStdout(s, child);
    });
    child.stdout!.on('error', () => {});
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('a reader that goes away (`mxprobe ... | head -1`)', () => {
  // Many probes, so output keeps coming after the reader has gone.
  const many = () => Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? local(refused) : local(trusted.port)));

  it.each([
    ['table', []],
    ['--ndjson', ['--ndjson']],
    ['-v --show-certs', ['-v', '--show-certs']],
    ['-q', ['-q']],
  ] as const)('%s: the process ends on its own, without a stack trace', async (_name, flags) => {
    let closed = false;
    const r = await spawnCli([...flags, '-c', '1', ...many()], (_chunk, child) => {
      if (closed) return;
      closed = true;
      child.stdout!.destroy();
    });
    expect(r.signal).toBeNull(); // not killed by our 25 s guard (nor by SIGPIPE: Node ignores it)
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|internal error/);
    expect(r.code).not.toBe(3);
  });
});

describe('Ctrl-C', () => {
  it('SIGINT during a probe: exit 3 soon, NDJSON never left with half a line, no stack trace', async () => {
    // The silent server never answers; the first line (a refused port) tells us the run is under way.
    let sent = false;
    const r = await spawnCli(['--ndjson', '-c', '2', local(refused), local(silent.port)], (_chunk, child) => {
      if (sent) return;
      sent = true;
      child.kill('SIGINT');
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stdout.endsWith('\n')).toBe(true);
    for (const line of r.stdout.trim().split('\n')) JSON.parse(line);
  });
});

describe('the library', () => {
  it('importing it registers no process listeners', async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection', 'warning'];
    // A fresh process: vitest's own listeners must not hide ours. The built library (dist/index.js)
    // is what `import { probe } from 'mxprobe'` loads.
    const script = `
      const events = ${JSON.stringify(events)};
      const count = () => Object.fromEntries(events.map((e) => [e, process.listenerCount(e)]));
      const before = count();
      const lib = await import(${JSON.stringify(join(ROOT, 'dist/index.js'))});
      if (typeof lib.probe !== 'function') throw new Error('no probe export');
      process.stdout.write(JSON.stringify({ before, after: count() }));
    `;
    const r = await runProcess(process.execPath, ['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { before, after } = JSON.parse(r.stdout) as { before: Record<string, number>; after: Record<string, number> };
    expect(after).toEqual(before);
  });

  it('probe() of a refused port resolves with error.code refused (it does not reject)', async () => {
    const r = await probe(local(refused), { connectTimeoutMs: 3000 });
    expect(r).toMatchObject({ status: 'critical', error: { phase: 'connect', code: 'refused' }, tls: null });
  });

  it('probe() never exits the process and leaves no listeners behind', async () => {
    const events = ['SIGINT', 'SIGTERM', 'exit', 'uncaughtException', 'unhandledRejection'] as const;
    const before = events.map((e) => process.listenerCount(e));
    await probe(local(refused), { connectTimeoutMs: 3000 });
    expect(events.map((e) => process.listenerCount(e))).toEqual(before);
  });
});
